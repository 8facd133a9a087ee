/// A partition as the cluster's metadata describes it.
public struct PartitionDescription: Sendable, Hashable {
    public var id: Int32
    /// The broker id of the leader, or -1 if the partition has none.
    public var leader: Int32
    public var replicas: [Int32]
    /// The in-sync replicas.
    public var isr: [Int32]

    public init(id: Int32, leader: Int32, replicas: [Int32], isr: [Int32]) {
        self.id = id
        self.leader = leader
        self.replicas = replicas
        self.isr = isr
    }
}
