import Testing
import TickstreamKafka

struct KafkaConsumerTests {
    @Test(.timeLimit(.minutes(1)))
    func keyedMessagesArriveCompleteAndInPerKeyOrder() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 4, replicationFactor: 3)
        let producer = try KafkaProducer.forTests(cluster)
        let keys = (0..<50).map { "room-\($0)" }
        let total = 10_000
        for i in 0..<total {
            let key = keys[i % keys.count]
            let record = ProducerRecord(topic: topic, key: Array(key.utf8), value: withUnsafeBytes(of: Int32(i)) { Array($0) })
            try producer.sendAndForget(record)
        }
        try await producer.flush(timeout: .seconds(10))
        #expect(producer.deliveryFailureCount == 0)
        await producer.shutdown()

        let consumer = try KafkaConsumer.forTests(cluster)
        try await consumer.assign((0..<4).map { TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning) })
        var lastByKey: [String: Int32] = [:]
        var partitionsByKey: [String: Set<Int32>] = [:]
        var received = 0
        var outOfOrder = 0
        for await record in consumer.messages {
            let key = String(decoding: record.key ?? [], as: UTF8.self)
            let sequence = record.value.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            if let last = lastByKey[key], last >= sequence { outOfOrder += 1 }
            lastByKey[key] = sequence
            partitionsByKey[key, default: []].insert(record.partition)
            received += 1
            if received == total { break }
        }
        await consumer.close()
        #expect(received == total)
        #expect(outOfOrder == 0)
        #expect(lastByKey.count == keys.count)
        for (key, partitions) in partitionsByKey {
            #expect(partitions == [RoomPartitioner.partition(forKey: Array(key.utf8), partitionCount: 4)])
        }
        // The keys spread over every partition.
        #expect(Set(partitionsByKey.values.flatMap { $0 }).count == 4)
    }

    @Test(.timeLimit(.minutes(1)))
    func fetchedWatermarksAreUnknownUntilAFetchAndThenFollowTheLog() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 2)
        let producer = try KafkaProducer.forTests(cluster)
        for i in 0..<10 {
            try producer.sendAndForget(ProducerRecord(topic: topic, partition: 0, value: [UInt8(i)]))
        }
        try await producer.flush(timeout: .seconds(10))

        let consumer = try KafkaConsumer.forTests(cluster)
        #expect(try consumer.fetchedWatermarks(topic: topic, partition: 0).high == nil, "nothing fetched yet")
        try await consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: TopicPartitionOffset.beginning)])
        await consumer.receive(10)
        #expect(try consumer.fetchedWatermarks(topic: topic, partition: 0).high == 10)
        #expect(try consumer.fetchedWatermarks(topic: topic, partition: 1).high == nil, "a partition not fetched stays unknown")

        for i in 0..<5 {
            try producer.sendAndForget(ProducerRecord(topic: topic, partition: 0, value: [UInt8(i)]))
        }
        try await producer.flush(timeout: .seconds(10))
        await producer.shutdown()
        await consumer.receive(5)
        #expect(try consumer.fetchedWatermarks(topic: topic, partition: 0).high == 15)
        await consumer.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func seekByTimestampFindsTheFirstRecordAtOrAfterIt() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 1)
        let producer = try KafkaProducer.forTests(cluster)
        // Three bursts of 20 records, 50 ms apart.
        for burst in 0..<3 {
            if burst > 0 { try await Task.sleep(for: .milliseconds(50)) }
            for i in 0..<20 {
                _ = try await producer.send(ProducerRecord(topic: topic, partition: 0, value: [UInt8(burst), UInt8(i)]))
            }
        }
        await producer.shutdown()

        let consumer = try KafkaConsumer.forTests(cluster)
        let partition = TopicPartition(topic: topic, partition: 0)
        try await consumer.assign([TopicPartitionOffset(partition, offset: TopicPartitionOffset.beginning)])
        var timestamps: [Int64] = []
        for await record in consumer.messages {
            timestamps.append(record.timestamp)
            if timestamps.count == 60 { break }
        }
        #expect(timestamps[40] > timestamps[39])

        let target = timestamps[40]
        let found = try await consumer.offsets(forTimestamp: target, partitions: [partition])
        let expected = Int64(timestamps.firstIndex { $0 >= target }!)
        #expect(found == [TopicPartitionOffset(partition, offset: expected)])

        let beforeAll = try await consumer.offsets(forTimestamp: timestamps[0] - 1000, partitions: [partition])
        #expect(beforeAll.first?.offset == 0)
        let afterAll = try await consumer.offsets(forTimestamp: timestamps[59] + 1000, partitions: [partition])
        #expect(afterAll.first?.offset == 60)

        try await consumer.seek(found[0])
        var iterator = consumer.messages.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.offset == expected)
        #expect(first?.value == [2, 0])
        await consumer.close()
    }
}
