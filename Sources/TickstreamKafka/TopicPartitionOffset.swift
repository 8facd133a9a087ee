import CRdKafka

/// A position in a partition: the offset of the next record to read.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    /// An offset, or one of the logical offsets ``beginning``, ``end`` and ``stored``.
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public init(_ topicPartition: TopicPartition, offset: Int64) {
        self.init(topic: topicPartition.topic, partition: topicPartition.partition, offset: offset)
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The oldest record still in the partition.
    public static let beginning = Int64(RD_KAFKA_OFFSET_BEGINNING)
    /// After the newest record: only records produced from now on.
    public static let end = Int64(RD_KAFKA_OFFSET_END)
    /// The group's committed offset, else `autoOffsetReset`.
    public static let stored = Int64(RD_KAFKA_OFFSET_STORED)

    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}
