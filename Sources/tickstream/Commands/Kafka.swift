import ArgumentParser
import Logging
import ServiceLifecycle
import TickstreamKafka
import TickstreamProtocol
import UnixSignals

/// Runs the embedded Kafka cluster alone, so that gateways and workers in other processes can share it: the
/// local stand-in for a real cluster in multi-process development and tests.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Run just an embedded Kafka cluster with Tickstream's topics, for gateways and workers in other processes.",
        discussion: """
            Prints `Kafka: <bootstrap>` once the topics exist; pass that list to `--brokers` of `gateway` and \
            `worker`. The brokers listen on random loopback ports and keep records in memory only. Runs until \
            SIGINT or SIGTERM.
            """
    )

    @Option(help: "Brokers of the cluster.")
    var brokersCount: Int = 3

    @Option(help: "Partitions of the inputs, state and checkpoints topics: the most workers that can share the rooms.")
    var partitions: Int32 = 4

    @Option(help: "Prefix of the topic names. Env: TICKSTREAM_TOPIC_PREFIX.")
    var topicPrefix: String = Environment.value("TOPIC_PREFIX") ?? "tickstream"

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...32).contains(brokersCount) else { throw ValidationError("--brokers-count must be 1 to 32") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "tickstream.kafka")
        let cluster = try EmbeddedKafkaCluster(brokers: brokersCount, logger: logger)
        let topics = TopicLayout(prefix: topicPrefix)
        try cluster.createTopics(topics.specifications(partitions: partitions, replicationFactor: Int16(min(brokersCount, 3))))
        announce("Kafka: \(cluster.bootstrapServers)")
        let group = ServiceGroup(configuration: .init(
            services: [EmbeddedKafkaService(cluster: cluster)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
