import Foundation
import Testing
import TickstreamKafka

struct KafkaAdminTests {
    @Test func listsDescribesAndMeasuresTopicsOfTheEmbeddedCluster() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueTopic()
        try cluster.createTopics([
            TopicSpecification(name: topic, partitions: 4, replicationFactor: 2),
            TopicSpecification(name: topic, partitions: 4, replicationFactor: 2),
        ])
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        let producer = try KafkaProducer.forTests(cluster)
        for _ in 0..<3 { _ = try await producer.send(ProducerRecord(topic: topic, partition: 2, value: [0])) }
        await producer.shutdown()

        #expect(try await admin.listTopics().map(\.name).contains(topic))
        let description = try await admin.describe(topic: topic)
        #expect(description.partitions.map(\.id) == [0, 1, 2, 3])
        // The embedded cluster reports every broker as a replica, whatever the replication factor.
        #expect(description.partitions.allSatisfy { $0.replicas.contains($0.leader) && $0.isr.contains($0.leader) })
        let (low, high) = try await admin.watermarks(topic: topic, partition: 2)
        #expect(low == 0 && high == 3)
        await #expect(throws: KafkaError.unknownTopicOrPartition) {
            try await admin.describe(topic: uniqueTopic("missing"), timeout: .seconds(2))
        }
        await admin.shutdown()
    }

    @Test func theClusterIDTellsTheEmbeddedClusterFromKafkaBrokers() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        let id = try await admin.clusterID()
        await admin.shutdown()

        #expect(KafkaClusterKind(clusterID: id) == .embedded, "cluster id \(id)")
        #expect(KafkaClusterKind.embedded.fetchWaitMax == .milliseconds(2))
        // The form of a Kafka cluster's id, as `kafka-storage.sh random-uuid` makes it.
        #expect(KafkaClusterKind(clusterID: "MkU3OEVBNTcwNTJENDM2Qk") == .brokers)
        #expect(KafkaClusterKind.brokers.fetchWaitMax == .milliseconds(100))
    }

    @Test func aClusterThatDoesNotAnswerHasNoID() async throws {
        // Nothing listens on port 1: every connection is refused.
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: "127.0.0.1:1"), logger: testLogger)
        await #expect(throws: KafkaError.timedOut) { try await admin.clusterID(timeout: .seconds(1)) }
        await admin.shutdown()
    }

    static let kcat: String? = ProcessInfo.processInfo.environment["PATH"]?
        .split(separator: ":")
        .map { "\($0)/kcat" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: kcat != nil, "kcat is not on PATH; tools/test installs it"))
    func kcatListsTheTopicsOfTheEmbeddedCluster() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topics = ["tickstream.inputs", "tickstream.state"]
        for name in topics { try cluster.createTopic(name: name, partitions: 8) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.kcat!)
        process.arguments = ["-b", cluster.bootstrapServers, "-L", "-m", "5"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let status = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let listing = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status == 0)
        for name in topics { #expect(listing.contains("topic \"\(name)\" with 8 partitions")) }
    }
}
