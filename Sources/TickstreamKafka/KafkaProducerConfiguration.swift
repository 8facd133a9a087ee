/// Configuration of a ``KafkaProducer``: the options Tickstream chooses, typed, and any other librdkafka
/// property by name.
public struct KafkaProducerConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from.
    public var bootstrapServers: String
    /// Names this client in broker logs and metrics. Default: `tickstream`.
    public var clientID: String
    /// How long a record may wait for others to fill its batch (`linger.ms`). Default: 2 ms.
    ///
    /// Every millisecond of linger is added to every send, but without any each record of a busy gateway went
    /// out in a request of its own: at 100 players (3,000 inputs/s) 2 ms took `serve` from 10.0–10.7 to 7.5 ms
    /// of CPU per client-second and its p95 latency from 112 to 55 ms. Set zero where one record at a time is all there is.
    public var linger: Duration
    /// Exactly-once, in-order delivery per partition through retries (`enable.idempotence`). Default: `true`.
    public var idempotence: Bool
    /// Acknowledgements the leader waits for (`acks`). Default: ``Acks/all``, required by idempotence.
    public var acks: Acks
    /// How long librdkafka tries to deliver a record, retries included (`message.timeout.ms`); past it the send
    /// fails with ``KafkaError/timedOut``. Default: 30 seconds, so that a lost cluster surfaces instead of
    /// queueing for librdkafka's 5 minutes.
    public var deliveryTimeout: Duration
    /// Unacknowledged requests per broker connection (`max.in.flight.requests.per.connection`). Default: 1.
    ///
    /// librdkafka's idempotent producer lets at most 5 *records* of a partition be in flight, and while a partition
    /// is at that cap with records past their linger it asks its broker thread to wake at once: with more than one
    /// request allowed, the thread spins at a full core until the broker answers (librdkafka 2.0.2; the code is the
    /// same in later releases). One room of 25 players, all on one partition, kept it spinning and fell behind for
    /// good: `tools/bench --kafka-process arena-25` p99 6.5 s and 41.5 ms of server CPU per client-second at 5, 39 ms
    /// and 6.7 ms at 1; arena-100 and arena-500 the same at both within the runs' spread. With one request in flight
    /// the next batch waits unsent and the thread sleeps until the answer.
    public var maxInFlightRequests: Int
    /// Records the local queue holds before sends fail with ``KafkaError/queueFull``
    /// (`queue.buffering.max.messages`). Default: 100,000.
    public var maxQueuedMessages: Int
    /// The longest a connection to a broker that went away waits between attempts to come back
    /// (`reconnect.backoff.max.ms`). Default: 1 second.
    ///
    /// librdkafka doubles its wait after each failed attempt up to 10 s: after a broker returns, inputs would be
    /// refused for seconds longer than the outage. An attempt a second to a missing broker costs nothing.
    public var reconnectBackoffMax: Duration
    /// How many fire-and-forget delivery failures ``KafkaProducer/deliveryFailures`` buffers; older ones are
    /// dropped (and counted in ``KafkaProducer/deliveryFailureCount``). Default: 1,024.
    public var deliveryFailureBufferSize: Int
    /// Any other librdkafka property by name, e.g. `["compression.type": "lz4"]`. Applied last, so it overrides
    /// the typed options.
    public var properties: [String: String]

    /// How many replicas must acknowledge a write.
    public struct Acks: Sendable, Hashable {
        let value: String
        /// The leader and every in-sync replica.
        public static let all = Acks(value: "all")
        /// The leader only.
        public static let leader = Acks(value: "1")
        /// No acknowledgement: the client does not wait.
        public static let none = Acks(value: "0")
    }

    public init(
        bootstrapServers: String,
        clientID: String = "tickstream",
        linger: Duration = .milliseconds(2),
        idempotence: Bool = true,
        acks: Acks = .all,
        deliveryTimeout: Duration = .seconds(30),
        maxInFlightRequests: Int = 1,
        maxQueuedMessages: Int = 100_000,
        reconnectBackoffMax: Duration = .seconds(1),
        deliveryFailureBufferSize: Int = 1024,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.linger = linger
        self.idempotence = idempotence
        self.acks = acks
        self.deliveryTimeout = deliveryTimeout
        self.maxInFlightRequests = maxInFlightRequests
        self.maxQueuedMessages = maxQueuedMessages
        self.reconnectBackoffMax = reconnectBackoffMax
        self.deliveryFailureBufferSize = deliveryFailureBufferSize
        self.properties = properties
    }

    var librdkafkaProperties: [String: String] {
        var result = [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "linger.ms": String(linger.fractionalMilliseconds),
            "enable.idempotence": String(idempotence),
            "acks": acks.value,
            "message.timeout.ms": String(deliveryTimeout.milliseconds),
            "max.in.flight.requests.per.connection": String(maxInFlightRequests),
            "queue.buffering.max.messages": String(maxQueuedMessages),
            "reconnect.backoff.max.ms": String(reconnectBackoffMax.milliseconds),
            // Small requests go out at once instead of waiting for Nagle's algorithm.
            "socket.nagle.disable": "true",
        ]
        result.merge(properties) { _, passedThrough in passedThrough }
        return result
    }
}

extension Duration {
    /// Milliseconds with a fraction, as librdkafka's `linger.ms` accepts them.
    var fractionalMilliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
