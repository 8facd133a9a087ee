import Testing
import TickstreamKafka

struct KafkaProducerTests {
    @Test func sendReportsWhereTheRecordLanded() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 6)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger
        )
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
}
