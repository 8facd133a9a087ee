import CRdKafka
import Logging

/// A throwaway consumer that reads single records to find an offset by timestamp, where the broker cannot.
///
/// Blocking: use it off the cooperative pool.
struct TimestampProbe: ~Copyable {
    private let handle: RdKafkaHandle

    init(properties: [String: String], logger: Logger) throws(KafkaError) {
        handle = try RdKafkaHandle(type: RD_KAFKA_CONSUMER, properties: properties, context: RdKafkaContext(logger: logger))
    }

    /// Binary search for the first offset in `low..<high` whose record's timestamp is ≥ `timestamp`, or `high`.
    func firstOffset(
        atOrAfter timestamp: Int64,
        in partition: TopicPartition,
        low: Int64,
        high: Int64,
        deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> Int64 {
        var low = low
        var high = high
        while low < high {
            let middle = low + (high - low) / 2
            if try self.timestamp(at: middle, in: partition, deadline: deadline) >= timestamp {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    /// The timestamp of the first record at or after `offset`.
    private func timestamp(
        at offset: Int64,
        in partition: TopicPartition,
        deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> Int64 {
        try handle.withLease { rk throws(KafkaError) in
            let list = TopicPartitionList([TopicPartitionOffset(partition, offset: offset)])
            let err = rd_kafka_assign(rk, list.pointer)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err) }
            while ContinuousClock.now < deadline {
                guard let message = rd_kafka_consumer_poll(rk, 50) else { continue }
                defer { rd_kafka_message_destroy(message) }
                let m = message.pointee
                guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(m.err, message: String(cString: rd_kafka_message_errstr(message)))
                }
                if m.partition == partition.partition, m.offset >= offset {
                    return rd_kafka_message_timestamp(message, nil)
                }
            }
            throw KafkaError.timedOut.with(message: "reading \(partition)@\(offset) to find an offset by time")
        }
    }

    /// Closes and destroys the probe.
    func close() {
        try? handle.withLease { rk in _ = rd_kafka_consumer_close(rk) }
        handle.close()
    }
}
