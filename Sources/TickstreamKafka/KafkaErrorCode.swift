import CRdKafka

/// A librdkafka error code (`rd_kafka_resp_err_t`): a Kafka protocol error (≥ 0) or a local one (< 0).
///
/// Fault injection on ``EmbeddedKafkaCluster`` takes these; ``KafkaError/code`` exposes them.
public struct KafkaErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

    var err: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

    /// The broker disconnects the client (local code: transport failure).
    public static let transport = Self(RD_KAFKA_RESP_ERR__TRANSPORT)
    public static let notLeaderForPartition = Self(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
    public static let leaderNotAvailable = Self(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
    public static let requestTimedOut = Self(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
    public static let brokerNotAvailable = Self(RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE)
    public static let networkException = Self(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION)
    public static let notCoordinator = Self(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
    public static let unknownTopicOrPartition = Self(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    public static let messageTooLarge = Self(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    public static let topicAlreadyExists = Self(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    public static let topicAuthorizationFailed = Self(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)

    /// librdkafka's name for the code, e.g. `NOT_LEADER_FOR_PARTITION` or `_TRANSPORT`.
    public var description: String { String(cString: rd_kafka_err2name(err)) }
}
