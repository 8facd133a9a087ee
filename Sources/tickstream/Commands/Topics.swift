import ArgumentParser
import Logging
import TickstreamKafka
import TickstreamProtocol

struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, describe and list Tickstream's topics.",
        subcommands: [Create.self, Describe.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the inputs, state, checkpoints (compacted) and dead-letter topics."
        )

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var logging: LoggingOptions

        @Option(help: "Partitions of the inputs, state and checkpoints topics: the most workers that can share the rooms.")
        var partitions: Int32 = 8

        @Option(help: "Replicas of each partition.")
        var replicationFactor: Int16 = 3

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.topics")
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: try kafka.requiredBrokers(), properties: try kafka.properties()), logger: logger)
            let specifications = kafka.topics.specifications(partitions: partitions, replicationFactor: replicationFactor)
            do {
                try await admin.createTopics(specifications)
            } catch {
                await admin.shutdown()
                throw error
            }
            await admin.shutdown()
            for specification in specifications {
                print("created \(specification.name) (\(specification.partitions) partitions)")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Partitions, leaders, replicas and watermarks of Tickstream's topics.")

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.topics")
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: try kafka.requiredBrokers(), properties: try kafka.properties()), logger: logger)
            for name in [kafka.topics.inputs, kafka.topics.state, kafka.topics.checkpoints, kafka.topics.deadLetter] {
                do {
                    let topic = try await admin.describe(topic: name)
                    print("\(topic.name): \(topic.partitions.count) partitions")
                    for partition in topic.partitions {
                        let (low, high) = try await admin.watermarks(topic: name, partition: partition.id)
                        print("  [\(partition.id)] leader \(partition.leader) replicas \(partition.replicas) isr \(partition.isr) offsets \(low)..<\(high)")
                    }
                } catch {
                    print("\(name): \(error)")
                }
            }
            await admin.shutdown()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every topic of the cluster.")

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.topics")
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: try kafka.requiredBrokers(), properties: try kafka.properties()), logger: logger)
            for topic in try await admin.listTopics().sorted(by: { $0.name < $1.name }) {
                print("\(topic.name)\t\(topic.partitions.count) partitions")
            }
            await admin.shutdown()
        }
    }
}

extension KafkaOptions {
    func requiredBrokers() throws -> String {
        guard let brokers = configuredBrokers else {
            throw ValidationError("Give --brokers (or TICKSTREAM_BROKERS); `tickstream serve` prints its embedded cluster's address.")
        }
        return brokers
    }
}

extension TopicLayout {
    func specifications(partitions: Int32, replicationFactor: Int16) -> [TopicSpecification] {
        topics(partitions: partitions).map {
            TopicSpecification(name: $0.name, partitions: $0.partitions, replicationFactor: replicationFactor, configs: $0.configs)
        }
    }
}
