public import Logging
public import TickstreamKafka
public import TickstreamProtocol

/// An embedded Kafka cluster with Tickstream's topics under a prefix of its own.
public struct TestCluster: Sendable {
    public let cluster: EmbeddedKafkaCluster
    public let topics: TopicLayout
    public let partitions: Int32

    public init(brokers: Int = 1, partitions: Int32 = 2) throws {
        cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: Self.logger)
        topics = TopicLayout(prefix: "test-\(UInt32.random(in: 0...UInt32.max))")
        self.partitions = partitions
        for topic in topics.topics(partitions: partitions) {
            try cluster.createTopic(name: topic.name, partitions: topic.partitions, replicationFactor: Int16(brokers))
        }
    }

    public var bootstrapServers: String { cluster.bootstrapServers }

    /// Quiet: tests print what they measure, not Kafka's chatter.
    public static let logger: Logger = {
        var logger = Logger(label: "tickstream.tests")
        logger.logLevel = .warning
        return logger
    }()

    public func makeProducer() throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: bootstrapServers), logger: Self.logger)
    }

    /// Every record of `topic` currently in the log, partition by partition, in offset order.
    ///
    /// All partitions are read at once, each up to the high watermark it had when the read began; records past it
    /// (the topic keeps growing while it is read) are left out.
    public func records(of topic: String) async throws -> [ConsumerRecord] {
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: bootstrapServers), logger: Self.logger)
        var highs: [Int32: Int64] = [:]
        var starts: [TopicPartitionOffset] = []
        for partition in 0..<(topic == topics.deadLetter ? 1 : partitions) {
            let (low, high) = try await consumer.watermarks(topic: topic, partition: partition)
            guard high > low else { continue }
            highs[partition] = high
            starts.append(TopicPartitionOffset(topic: topic, partition: partition, offset: low))
        }
        var byPartition: [Int32: [ConsumerRecord]] = [:]
        if !starts.isEmpty {
            try await consumer.assign(starts)
            var unfinished = Set(highs.keys)
            for await record in consumer.messages {
                guard let high = highs[record.partition] else { continue }
                if record.offset < high { byPartition[record.partition, default: []].append(record) }
                if record.offset >= high - 1 {
                    unfinished.remove(record.partition)
                    if unfinished.isEmpty { break }
                }
            }
        }
        await consumer.close()
        return byPartition.keys.sorted().flatMap { byPartition[$0]! }
    }
}
