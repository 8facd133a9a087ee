/// A topic as the cluster's metadata describes it.
public struct TopicDescription: Sendable, Hashable {
    public var name: String
    /// The partitions, ordered by id.
    public var partitions: [PartitionDescription]

    public init(name: String, partitions: [PartitionDescription]) {
        self.name = name
        self.partitions = partitions
    }
}
