/// A topic to create.
public struct TopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16
    /// Topic configs, e.g. `["cleanup.policy": "compact"]` for checkpoints.
    public var configs: [String: String]

    public init(name: String, partitions: Int32, replicationFactor: Int16 = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
