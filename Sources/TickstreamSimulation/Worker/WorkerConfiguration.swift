public import TickstreamKafka
public import TickstreamProtocol
public import TickstreamRules

/// How a simulation worker runs its rooms.
public struct WorkerConfiguration: Sendable {
    /// Kafka bootstrap servers, e.g. `localhost:9092`.
    public var bootstrapServers: String
    /// The topics; default prefix `tickstream`.
    public var topics: TopicLayout
    /// Names this worker in logs and dead letters. Default: `worker-<pid>`.
    public var workerID: String
    /// The game.
    public var rules: any GameRules
    /// A keyframe every this many ticks; deltas against the previous tick between. Default 30.
    public var keyframeInterval: UInt64
    /// A checkpoint of each room every this many ticks. Default 150 (5 s at 30 Hz).
    public var checkpointInterval: UInt64
    /// A room without players closes after this long. Default 30 s.
    public var idleTimeout: Duration
    /// Missed ticks run at once after a stall, at most this many; beyond, they are dropped. Default 3.
    public var maxCatchUpTicks: Int
    /// How long a revocation may take to checkpoint before the partitions are given up anyway. Default 5 s.
    public var revocationTimeout: Duration
    /// Newly assigned partitions restored at once, each with a Kafka client of its own. Default 4.
    public var concurrentRestores: Int
    /// How long a graceful shutdown waits for Kafka to acknowledge the final checkpoints; past it the worker stops
    /// without them (the next owner restores the earlier ones and replays the ticks since). Default 10 s.
    public var shutdownTimeout: Duration
    /// How often the input lag of each owned partition is sampled into `/metrics` (each sample asks the cluster for
    /// the group's commits and the partitions' high watermarks, and waits at most this long). Default 5 s.
    public var lagSampleInterval: Duration
    /// How long a broker may hold the consumers' empty fetches. Default: 2 ms, for the embedded cluster;
    /// ``KafkaClusterKind/fetchWaitMax`` gives the one that suits a cluster.
    public var fetchWaitMax: Duration
    /// Any other librdkafka property, for the producer and the consumer.
    public var kafkaProperties: [String: String]

    public init(
        bootstrapServers: String,
        topics: TopicLayout = TopicLayout(),
        workerID: String = "worker-\(ProcessID.current)",
        rules: any GameRules,
        keyframeInterval: UInt64 = 30,
        checkpointInterval: UInt64 = 150,
        idleTimeout: Duration = .seconds(30),
        maxCatchUpTicks: Int = 3,
        revocationTimeout: Duration = .seconds(5),
        concurrentRestores: Int = 4,
        shutdownTimeout: Duration = .seconds(10),
        lagSampleInterval: Duration = .seconds(5),
        fetchWaitMax: Duration = KafkaClusterKind.embedded.fetchWaitMax,
        kafkaProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.topics = topics
        self.workerID = workerID
        self.rules = rules
        self.keyframeInterval = keyframeInterval
        self.checkpointInterval = checkpointInterval
        self.idleTimeout = idleTimeout
        self.maxCatchUpTicks = maxCatchUpTicks
        self.revocationTimeout = revocationTimeout
        self.concurrentRestores = max(1, concurrentRestores)
        self.shutdownTimeout = shutdownTimeout
        self.lagSampleInterval = lagSampleInterval
        self.fetchWaitMax = fetchWaitMax
        self.kafkaProperties = kafkaProperties
    }

    var tickPeriod: Duration { .seconds(1) / rules.tickRate }

    var idleTimeoutTicks: UInt64 {
        UInt64(max(1, (idleTimeout / tickPeriod).rounded(.up)))
    }
}
