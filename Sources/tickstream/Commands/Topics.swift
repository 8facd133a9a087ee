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
        static let configuration = CommandConfiguration(
            abstract: "Partitions, leaders, replicas and watermarks of Tickstream's topics, and the workers' consumer-group lag."
        )

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = logging.bootstrap(label: "tickstream.topics")
            let brokers = try kafka.requiredBrokers()
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: brokers, properties: try kafka.properties()), logger: logger)
            var inputWatermarks: [Int32: Int64] = [:]
            for name in [kafka.topics.inputs, kafka.topics.state, kafka.topics.checkpoints, kafka.topics.deadLetter] {
                do {
                    let topic = try await admin.describe(topic: name)
                    print("\(topic.name): \(topic.partitions.count) partitions")
                    for partition in topic.partitions {
                        let (low, high) = try await admin.watermarks(topic: name, partition: partition.id)
                        if name == kafka.topics.inputs { inputWatermarks[partition.id] = high }
                        print("  [\(partition.id)] leader \(partition.leader) replicas \(partition.replicas) isr \(partition.isr) offsets \(low)..<\(high)")
                    }
                } catch {
                    print("\(name): \(error)")
                }
            }
            await admin.shutdown()
            try await printLag(of: kafka.topics.workerGroup, highWatermarks: inputWatermarks, brokers: brokers, logger: logger)
        }

        /// The group's committed offset against the high watermark of each inputs partition.
        ///
        /// Reading another group's offsets takes a consumer with its group id that never subscribes, so it
        /// never joins the group and cannot disturb its members. Gateways read state by assignment and commit nothing.
        private func printLag(of group: String, highWatermarks: [Int32: Int64], brokers: String, logger: Logger) async throws {
            guard !highWatermarks.isEmpty else { return }
            let consumer = try KafkaConsumer(
                configuration: KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: group, properties: try kafka.properties()),
                logger: logger
            )
            let partitions = highWatermarks.keys.sorted().map { TopicPartition(topic: kafka.topics.inputs, partition: $0) }
            do {
                let committed = try await consumer.committed(partitions)
                print("consumer group \(group) (workers) on \(kafka.topics.inputs): total lag \(committed.reduce(0) { $0 + lag($1, highWatermarks) })")
                for position in committed.sorted(by: { $0.partition < $1.partition }) {
                    let high = highWatermarks[position.partition] ?? 0
                    let offset = position.offset < 0 ? "none" : "\(position.offset)"
                    print("  [\(position.partition)] committed \(offset) high \(high) lag \(lag(position, highWatermarks))")
                }
            } catch {
                print("consumer group \(group): \(error)")
            }
            await consumer.close()
        }

        /// Records not yet covered by a commit; every record when the group has committed nothing.
        private func lag(_ position: TopicPartitionOffset, _ highWatermarks: [Int32: Int64]) -> Int64 {
            let high = highWatermarks[position.partition] ?? 0
            return position.offset < 0 ? high : max(0, high - position.offset)
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
