/// A record to produce.
public struct ProducerRecord: Sendable, Hashable {
    public var topic: String
    /// The partition to write to; `nil` chooses one from the key with ``RoomPartitioner`` (Java's default
    /// partitioner), or at random when the key is `nil` too.
    public var partition: Int32?
    public var key: [UInt8]?
    /// The payload; an empty value is written as a null value (a tombstone on a compacted topic).
    public var value: [UInt8]
    public var headers: [KafkaRecordHeader]

    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8],
        headers: [KafkaRecordHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}
