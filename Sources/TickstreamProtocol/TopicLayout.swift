/// The names of Tickstream's topics, under a configurable prefix.
public struct TopicLayout: Sendable, Hashable {
    public var prefix: String

    /// - Parameter prefix: defaults to `tickstream`.
    public init(prefix: String = "tickstream") {
        self.prefix = prefix
    }

    /// Player inputs, joins, leaves and relays, keyed by room: the source of truth.
    public var inputs: String { "\(prefix).inputs" }
    /// The authoritative state after each tick, keyed by room.
    public var state: String { "\(prefix).state" }
    /// The latest checkpoint of each room, keyed by room (compacted).
    public var checkpoints: String { "\(prefix).checkpoints" }
    /// Records a worker could not use, with the reason.
    public var deadLetter: String { "\(prefix).deadletter" }

    /// The consumer group of the simulation workers.
    public var workerGroup: String { "\(prefix).sim" }

    /// Every topic, with the partition count it should have and its configuration.
    ///
    /// Inputs, state and checkpoints have the same partition count, so a room's records share an index.
    public func topics(partitions: Int32) -> [(name: String, partitions: Int32, configs: [String: String])] {
        [
            (inputs, partitions, [:]),
            (state, partitions, ["retention.ms": "86400000"]),
            (checkpoints, partitions, ["cleanup.policy": "compact"]),
            (deadLetter, 1, [:]),
        ]
    }
}
