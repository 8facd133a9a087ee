import CRdKafka

/// An error of the Kafka layer: a kind to match on and librdkafka's own words for what happened.
///
/// Match with `==` against the static members (`error == .timedOut`); equality compares the kind and, for
/// ``librdkafka(_:)``, the code, never the message.
public struct KafkaError: Error, Hashable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case invalidConfiguration
        case timedOut
        case brokerUnreachable
        case unknownTopicOrPartition
        case messageTooLarge
        case queueFull
        case deliveryFailed
        case closed
        case librdkafka(KafkaErrorCode)
    }

    private let kind: Kind
    /// What went wrong, in librdkafka's words where it said something.
    public let message: String
    /// The librdkafka code behind this error, if librdkafka reported it.
    public let code: KafkaErrorCode?

    private init(_ kind: Kind, message: String = "", code: KafkaErrorCode? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    /// A configuration property has an unknown name or an invalid value.
    public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
    /// An operation did not complete within its timeout.
    public static var timedOut: Self { .init(.timedOut) }
    /// No broker of the bootstrap list could be reached.
    public static var brokerUnreachable: Self { .init(.brokerUnreachable) }
    /// The topic or partition does not exist.
    public static var unknownTopicOrPartition: Self { .init(.unknownTopicOrPartition) }
    /// The record is larger than the producer's or the broker's limit.
    public static var messageTooLarge: Self { .init(.messageTooLarge) }
    /// The producer's local queue is full: back off and retry, or drop by policy.
    public static var queueFull: Self { .init(.queueFull) }
    /// The broker did not acknowledge a record; ``code`` says why.
    public static var deliveryFailed: Self { .init(.deliveryFailed) }
    /// The client is shut down or closing.
    public static var closed: Self { .init(.closed) }
    /// Any other librdkafka error.
    public static func librdkafka(_ code: KafkaErrorCode) -> Self { .init(.librdkafka(code), code: code) }

    public var description: String {
        let name: String
        switch kind {
        case .invalidConfiguration: name = "invalid configuration"
        case .timedOut: name = "timed out"
        case .brokerUnreachable: name = "broker unreachable"
        case .unknownTopicOrPartition: name = "unknown topic or partition"
        case .messageTooLarge: name = "message too large"
        case .queueFull: name = "producer queue full"
        case .deliveryFailed: name = "delivery failed"
        case .closed: name = "client closed"
        case .librdkafka(let code): name = code.description
        }
        return message.isEmpty ? "KafkaError: \(name)" : "KafkaError: \(name): \(message)"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}

extension KafkaError {
    /// Returns a copy that carries `message`.
    func with(message: String) -> Self { .init(kind, message: message, code: code) }

    /// Maps a librdkafka code to the kind callers match on; unknown codes keep their code.
    ///
    /// - Parameter delivery: when true, codes without a kind of their own become ``deliveryFailed``.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil, delivery: Bool = false) {
        let code = KafkaErrorCode(err)
        let text = message ?? String(cString: rd_kafka_err2str(err))
        switch err {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            self.init(.timedOut, message: text, code: code)
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE:
            self.init(.brokerUnreachable, message: text, code: code)
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            self.init(.unknownTopicOrPartition, message: text, code: code)
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
            self.init(.messageTooLarge, message: text, code: code)
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            self.init(.queueFull, message: text, code: code)
        case RD_KAFKA_RESP_ERR__DESTROY:
            self.init(.closed, message: text, code: code)
        default:
            self.init(delivery ? .deliveryFailed : .librdkafka(code), message: text, code: code)
        }
    }

    /// Takes ownership of a `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(rd_kafka_error_code(error), message: String(cString: rd_kafka_error_string(error)))
    }
}
