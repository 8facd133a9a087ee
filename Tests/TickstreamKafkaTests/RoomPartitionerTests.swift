import Testing

@testable import TickstreamKafka

struct RoomPartitionerTests {
    /// Kafka's `UtilsTest.testMurmur2` vectors: Java's signed `murmur2` results.
    @Test(arguments: [
        ("21", -973_932_308),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ] as [(String, Int32)])
    func murmur2MatchesJava(input: String, java: Int32) {
        let hash = Array(input.utf8).withUnsafeBytes { RoomPartitioner.murmur2($0) }
        #expect(Int32(bitPattern: hash) == java)
    }

    @Test func binaryKeyMatchesJava() {
        let hash = [UInt8]([12, 42, 56, 24, 109, 111]).withUnsafeBytes { RoomPartitioner.murmur2($0) }
        #expect(Int32(bitPattern: hash) == 274_204_207)
    }

    @Test func partitionIsPositiveHashModuloCount() {
        // toPositive(-973932308) = 1173551340; 1173551340 % 12 = 0, % 7 = 4.
        #expect(RoomPartitioner.partition(forKey: Array("21".utf8), partitionCount: 12) == 1_173_551_340 % 12)
        #expect(RoomPartitioner.partition(forKey: Array("21".utf8), partitionCount: 7) == 1_173_551_340 % 7)
        #expect(RoomPartitioner.partition(forKey: Array("abc".utf8), partitionCount: 10) == 479_470_107 % 10)
        #expect(RoomPartitioner.partition(forKey: [], partitionCount: 1) == 0)
    }
}
