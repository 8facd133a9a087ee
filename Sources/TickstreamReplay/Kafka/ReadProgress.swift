public import TickstreamKafka

/// How far a long read has come, for progress output.
public struct ReadProgress: Sendable, Hashable {
    public var partition: TopicPartition
    /// Records read so far from this partition.
    public var read: Int64
    /// Records the range holds.
    public var total: Int64
}
