import ArgumentParser
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
