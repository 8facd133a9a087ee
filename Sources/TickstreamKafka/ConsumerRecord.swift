/// A record read from Kafka.
public struct ConsumerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    /// Milliseconds since the Unix epoch (create or log-append time), or -1 if the record has none.
    public var timestamp: Int64
    public var headers: [KafkaRecordHeader]

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]? = nil,
        value: [UInt8],
        timestamp: Int64 = -1,
        headers: [KafkaRecordHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    /// The position to commit once this record is processed: Kafka commits the next offset to read.
    public var nextPosition: TopicPartitionOffset {
        TopicPartitionOffset(topic: topic, partition: partition, offset: offset + 1)
    }
}
