import ArgumentParser
import Logging
import TickstreamKafka
import TickstreamProtocol

/// Where Kafka is and how Tickstream's topics are named.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,…). Env: TICKSTREAM_BROKERS.")
    var brokers: String?

    @Option(help: "Prefix of the topic names. Env: TICKSTREAM_TOPIC_PREFIX.")
    var topicPrefix: String = Environment.value("TOPIC_PREFIX") ?? "tickstream"

    @Option(
        name: .customLong("kafka-property"),
        help: ArgumentHelp("Any other librdkafka property, as name=value (repeatable).", valueName: "name=value")
    )
    var kafkaProperties: [String] = []

    var topics: TopicLayout { TopicLayout(prefix: topicPrefix) }

    /// The brokers from the flag, else the environment.
    var configuredBrokers: String? { brokers ?? Environment.value("BROKERS") }

    /// The consumers' fetch wait for the cluster at `brokers`, by the kind the cluster's id says it is
    /// (``KafkaClusterKind``): 2 ms on an embedded cluster, 100 ms on Kafka brokers. A `fetch.wait.max.ms` given with
    /// `--kafka-property` overrides it, and then the cluster is not asked.
    ///
    /// A cluster that does not answer within `timeout` is taken for Kafka brokers, with a warning: on brokers the
    /// wrong guess would cost every broker about 500 empty fetches a second per consumer, on an embedded cluster
    /// only latency, where a developer sees it.
    func fetchWait(brokers: String, timeout: Duration = .seconds(5), logger: Logger) async throws -> Duration {
        let properties = try properties()
        guard properties["fetch.wait.max.ms"] == nil else { return KafkaClusterKind.embedded.fetchWaitMax }
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: brokers, properties: properties), logger: logger)
        let id: String
        do {
            id = try await admin.clusterID(timeout: timeout)
        } catch {
            await admin.shutdown()
            let fetchWait = KafkaClusterKind.brokers.fetchWaitMax
            logger.warning(
                "Cannot tell an embedded cluster from Kafka brokers: consumers' fetch wait \(Self.describe(fetchWait)), as for brokers (an embedded cluster wants --kafka-property fetch.wait.max.ms=2)",
                metadata: ["brokers": "\(brokers)", "error": "\(error)"]
            )
            return fetchWait
        }
        await admin.shutdown()
        let kind = KafkaClusterKind(clusterID: id)
        let name = kind == .embedded ? "an embedded cluster" : "Kafka brokers"
        logger.info("Kafka cluster \(id) is \(name): consumers' fetch wait \(Self.describe(kind.fetchWaitMax))")
        return kind.fetchWaitMax
    }

    private static func describe(_ fetchWait: Duration) -> String {
        "\(Int(fetchWait / .milliseconds(1))) ms"
    }

    func properties() throws -> [String: String] {
        var result: [String: String] = [:]
        for property in kafkaProperties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("--kafka-property takes name=value, not '\(property)'")
            }
            result[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return result
    }
}
