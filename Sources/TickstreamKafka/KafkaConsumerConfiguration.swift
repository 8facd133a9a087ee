/// Configuration of a ``KafkaConsumer``: the options Tickstream chooses, typed, and any other librdkafka
/// property by name.
public struct KafkaConsumerConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from.
    public var bootstrapServers: String
    /// The consumer group to join with ``KafkaConsumer/subscribe(topics:)`` and to commit offsets for.
    ///
    /// `nil` (the default) makes a consumer for ``KafkaConsumer/assign(_:)`` only: it gets a private group id,
    /// since librdkafka's consumer needs one, and never joins or commits.
    public var groupID: String?
    /// Names this client in broker logs and metrics. Default: `tickstream`.
    public var clientID: String
    /// Where to start in a partition without a committed offset (`auto.offset.reset`). Default: ``OffsetReset/earliest``,
    /// so that no input is skipped.
    public var autoOffsetReset: OffsetReset
    /// Commit in the background (`enable.auto.commit`). Default: `false`: Tickstream commits explicit offsets once
    /// they are covered by a checkpoint.
    public var enableAutoCommit: Bool
    /// How long a broker may hold a fetch that found no data (`fetch.wait.max.ms`). Default: 2 ms, which suits
    /// the embedded cluster; ``KafkaClusterKind/fetchWaitMax`` says why, and what suits Kafka brokers.
    public var fetchWaitMax: Duration
    /// How long the group waits for a silent member before it moves its partitions (`session.timeout.ms`).
    /// Default: 10 seconds, so a crashed worker's rooms move on quickly.
    public var sessionTimeout: Duration
    /// How often a group member tells the coordinator it is alive (`heartbeat.interval.ms`); a member learns of
    /// a rebalance at its next heartbeat, so this bounds how long a rebalance waits for the members. Default:
    /// 500 ms (librdkafka's is 3 s).
    public var heartbeatInterval: Duration
    /// The longest a connection to a broker that went away waits between attempts to come back
    /// (`reconnect.backoff.max.ms`). Default: 1 second.
    ///
    /// librdkafka doubles its wait up to 10 s: a worker could miss its group session, and a gateway its state
    /// records, for seconds after a broker returns.
    public var reconnectBackoffMax: Duration
    /// How long a revocation waits for its owner's ``RevocationAcknowledgement`` before the partitions are
    /// given up anyway. Default: 10 seconds. Keep it below the group's rebalance timeout
    /// (`max.poll.interval.ms`, 5 minutes by default).
    public var revocationTimeout: Duration
    /// How long ``KafkaConsumer/close()`` waits for librdkafka to leave the group; past it the close is
    /// abandoned so that a shutdown never hangs. Default: 10 seconds. A cooperative consumer closed before its
    /// first assignment spends up to half of it awaiting that assignment on librdkafka before 2.3.0
    /// (see ``KafkaLibrary``).
    public var closeTimeout: Duration
    /// How many events ``KafkaConsumer/events`` buffers before the consumer stops fetching. Default: 1,024.
    public var eventBufferSize: Int
    /// Any other librdkafka property by name, e.g. `["partition.assignment.strategy": "cooperative-sticky"]`.
    /// Applied last, so it overrides the typed options.
    public var properties: [String: String]

    /// Where to start reading a partition without a committed offset.
    public struct OffsetReset: Sendable, Hashable {
        let value: String
        /// The oldest record still stored.
        public static let earliest = OffsetReset(value: "earliest")
        /// Only records produced after the consumer starts.
        public static let latest = OffsetReset(value: "latest")
        /// Fail with an error event instead of guessing.
        public static let error = OffsetReset(value: "error")
    }

    public init(
        bootstrapServers: String,
        groupID: String? = nil,
        clientID: String = "tickstream",
        autoOffsetReset: OffsetReset = .earliest,
        enableAutoCommit: Bool = false,
        fetchWaitMax: Duration = KafkaClusterKind.embedded.fetchWaitMax,
        sessionTimeout: Duration = .seconds(10),
        heartbeatInterval: Duration = .milliseconds(500),
        reconnectBackoffMax: Duration = .seconds(1),
        revocationTimeout: Duration = .seconds(10),
        closeTimeout: Duration = .seconds(10),
        eventBufferSize: Int = 1024,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.autoOffsetReset = autoOffsetReset
        self.enableAutoCommit = enableAutoCommit
        self.fetchWaitMax = fetchWaitMax
        self.sessionTimeout = sessionTimeout
        self.heartbeatInterval = heartbeatInterval
        self.reconnectBackoffMax = reconnectBackoffMax
        self.revocationTimeout = revocationTimeout
        self.closeTimeout = closeTimeout
        self.eventBufferSize = eventBufferSize
        self.properties = properties
    }

    /// The librdkafka properties; `privateGroupID` stands in for a missing ``groupID``.
    func librdkafkaProperties(privateGroupID: String) -> [String: String] {
        var result = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID ?? privateGroupID,
            "client.id": clientID,
            "auto.offset.reset": autoOffsetReset.value,
            "enable.auto.commit": String(enableAutoCommit),
            "fetch.wait.max.ms": String(fetchWaitMax.milliseconds),
            "session.timeout.ms": String(sessionTimeout.milliseconds),
            "heartbeat.interval.ms": String(heartbeatInterval.milliseconds),
            "reconnect.backoff.max.ms": String(reconnectBackoffMax.milliseconds),
            "enable.partition.eof": "false",
            // Small requests go out at once instead of waiting for Nagle's algorithm.
            "socket.nagle.disable": "true",
        ]
        result.merge(properties) { _, passedThrough in passedThrough }
        return result
    }
}
