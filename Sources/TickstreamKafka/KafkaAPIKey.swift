/// A Kafka protocol request type, for fault injection on ``EmbeddedKafkaCluster``.
public struct KafkaAPIKey: RawRepresentable, Sendable, Hashable {
    public let rawValue: Int16

    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = Self(rawValue: 0)
    public static let fetch = Self(rawValue: 1)
    public static let listOffsets = Self(rawValue: 2)
    public static let metadata = Self(rawValue: 3)
    public static let offsetCommit = Self(rawValue: 8)
    public static let offsetFetch = Self(rawValue: 9)
    public static let findCoordinator = Self(rawValue: 10)
    public static let joinGroup = Self(rawValue: 11)
    public static let heartbeat = Self(rawValue: 12)
    public static let syncGroup = Self(rawValue: 14)
    public static let initProducerID = Self(rawValue: 22)
}
