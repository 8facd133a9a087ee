import Testing
@testable import TickstreamKafka
import TickstreamTesting

struct KafkaProducerTests {
    @Test func sendReportsWhereTheRecordLanded() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 6)
        let producer = try KafkaProducer.forTests(cluster)
        let key = Array("room-42".utf8)
        let keyed = try await producer.send(ProducerRecord(topic: topic, key: key, value: [1]))
        #expect(keyed.partition == RoomPartitioner.partition(forKey: key, partitionCount: 6))
        #expect(keyed.offset == 0)
        let explicit = try await producer.send(ProducerRecord(topic: topic, partition: 5, key: key, value: [2]))
        #expect(explicit.partition == 5)
        #expect(try await producer.partitionCount(topic: topic) == 6)
        await producer.shutdown()
        await #expect(throws: KafkaError.closed) {
            try await producer.send(ProducerRecord(topic: topic, value: [3]))
        }
    }

    /// A topic learned at start is one the producer knows from then on, as if it had sent to it: librdkafka keeps
    /// such a topic's metadata fresh, so a worker that waits long for its first room still sends that room's first
    /// state at once. A topic the cluster lacks is refused, and not created by asking.
    @Test(.timeLimit(.minutes(1)))
    func aLearnedTopicIsKnownBeforeTheFirstRecordToIt() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let (learned, other, missing) = (uniqueTopic(), uniqueTopic(), uniqueTopic("missing"))
        try cluster.createTopic(name: learned, partitions: 2)
        try cluster.createTopic(name: other, partitions: 2)
        let producer = try KafkaProducer.forTests(cluster)
        try await producer.learn(topics: [learned])
        #expect(try await producer.knownTopics() == [learned])  // the other is not, nor any other test's
        await #expect(throws: KafkaError.unknownTopicOrPartition) { try await producer.learn(topics: [missing]) }
        await #expect(throws: KafkaError.unknownTopicOrPartition) { try await producer.partitionCount(topic: missing) }
        _ = try await producer.send(ProducerRecord(topic: other, value: [1]))
        #expect(try await producer.knownTopics() == [learned, other].sorted())
        await producer.shutdown()
    }

    /// The callback form, for a caller on an event loop: each record's outcome comes once, in the order sent.
    @Test(.timeLimit(.minutes(1)))
    func aSendWithACallbackReportsEachRecordOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 1)
        let producer = try KafkaProducer.forTests(cluster)
        let (reports, reported) = AsyncStream.makeStream(of: Result<DeliveryReport, any Error>.self)
        for value in 0..<20 as Range<UInt8> {
            try producer.send(ProducerRecord(topic: topic, value: [value])) { reported.yield($0) }
        }
        var offsets: [Int64] = []
        for await report in reports {
            offsets.append(try report.get().offset)
            if offsets.count == 20 { break }
        }
        #expect(offsets == Array(0..<20))
        await producer.shutdown()
        #expect(throws: KafkaError.closed) {
            try producer.send(ProducerRecord(topic: topic, value: [20])) { _ in Issue.record("a refused record reported") }
        }
    }

    /// A record the cluster does not take within the delivery timeout reports the failure through the callback.
    @Test(.timeLimit(.minutes(1)))
    func aSendWithACallbackReportsATimeout() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, deliveryTimeout: .seconds(2)),
            logger: testLogger
        )
        _ = try await producer.send(ProducerRecord(topic: topic, value: [1]))
        try cluster.setBrokerDown(1)
        let (reports, reported) = AsyncStream.makeStream(of: Result<DeliveryReport, any Error>.self)
        try producer.send(ProducerRecord(topic: topic, value: [2])) { reported.yield($0) }
        var iterator = reports.makeAsyncIterator()
        let report = await iterator.next()
        #expect(throws: KafkaError.timedOut) { try report?.get() }
        try cluster.setBrokerUp(1)
        await producer.shutdown()
    }

    /// A cancelled send stops waiting at once, and its record still goes out (a closing connection's leave must).
    @Test(.timeLimit(.minutes(1)))
    func aCancelledSendStopsWaitingButTheRecordIsStillDelivered() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        _ = try await producer.send(ProducerRecord(topic: topic, value: [1]))

        try cluster.setBrokerDown(1)
        let waiting = Task { try await producer.send(ProducerRecord(topic: topic, value: [2])) }
        try await Task.sleep(for: .milliseconds(500))
        let cancelled = ContinuousClock.now
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(ContinuousClock.now - cancelled < .seconds(1), "the wait ends at the cancellation, not at the delivery timeout")

        try cluster.setBrokerUp(1)
        try await producer.flush(timeout: .seconds(20))
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        try await consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: TopicPartitionOffset.beginning)])
        let values = try await withTimeout(.seconds(20)) {
            var values: [[UInt8]] = []
            for await record in consumer.messages {
                values.append(record.value)
                if values.count == 2 { break }
            }
            return values
        }
        #expect(values == [[1], [2]])
        await consumer.close()
        await producer.shutdown()
    }
}
