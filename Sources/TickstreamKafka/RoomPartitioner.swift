/// The room → partition mapping: the Java client's default partitioner for keyed records.
///
/// Matching Java means every Kafka tool (Java producers, Kafka Streams, kcat with `-X partitioner=murmur2`)
/// puts a room's records in the same partition as Tickstream does. ``KafkaProducer`` uses it whenever a record
/// names no partition.
public enum RoomPartitioner {
    /// Returns `toPositive(murmur2(key)) % partitionCount`, as `org.apache.kafka.common.utils.Utils` computes it.
    ///
    /// - Precondition: `partitionCount > 0`.
    public static func partition(forKey key: [UInt8], partitionCount: Int32) -> Int32 {
        key.withUnsafeBytes { partition(forKey: $0, partitionCount: partitionCount) }
    }

    static func partition(forKey key: UnsafeRawBufferPointer, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return Int32(bitPattern: murmur2(key) & 0x7fff_ffff) % partitionCount
    }

    /// Kafka's murmur2 (seed 0x9747b28c), as an unsigned 32-bit value; Java's `int` result is its bit pattern.
    static func murmur2(_ data: UnsafeRawBufferPointer) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k &*= m
            k ^= k >> 24
            k &*= m
            h &*= m
            h ^= k
        }
        let tail = blocks * 4
        switch length & 3 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h &*= m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h &*= m
        case 1:
            h ^= UInt32(data[tail])
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return h
    }
}
