import ArgumentParser
import Logging
import TickstreamKafka

/// Produce throughput and produce→consume latency on the embedded cluster.
struct KafkaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Kafka produce throughput and produce→consume latency on the embedded cluster."
    )

    @Option(help: "Records for the throughput run.")
    var messages = 1_000_000

    @Option(help: "Bytes per record value.")
    var size = 100

    @Option(help: "Records per second for the latency run.")
    var rate = 1000

    @Option(help: "Seconds of the latency run.")
    var seconds = 10

    @Option(help: "The consumer's fetch.wait.max.ms for the latency run (default: the configuration's default).")
    var fetchWaitMs: Int?

    func run() async throws {
        var logger = Logger(label: "tickstream.bench.kafka")
        logger.logLevel = .error
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        defer { cluster.shutdown() }
        print("embedded cluster: 1 broker at \(cluster.bootstrapServers)")
        try await throughput(cluster, logger: logger)
        try await latency(cluster, logger: logger)
    }

    /// Fire-and-forget sends of `messages` records, then a flush: the producer's sustained rate.
    private func throughput(_ cluster: EmbeddedKafkaCluster, logger: Logger) async throws {
        let topic = "bench.throughput"
        try cluster.createTopic(name: topic, partitions: 4)
        // Bulk settings, not the game defaults: let batches fill for a few milliseconds.
        let producer = try KafkaProducer(
            configuration: .init(
                bootstrapServers: cluster.bootstrapServers,
                linger: .milliseconds(5),
                maxQueuedMessages: 500_000,
                properties: ["batch.num.messages": "10000", "batch.size": "1000000"]
            ),
            logger: logger
        )
        let value = [UInt8](repeating: 0x2a, count: size)
        let keys = (0..<64).map { Array("room-\($0)".utf8) }
        let clock = ContinuousClock()
        var queueFullWaits = 0
        let elapsed = try await clock.measure {
            var i = 0
            while i < messages {
                do {
                    try producer.sendAndForget(ProducerRecord(topic: topic, key: keys[i & 63], value: value))
                    i += 1
                } catch let error as KafkaError where error == .queueFull {
                    queueFullWaits += 1
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            try await producer.flush(timeout: .seconds(60))
        }
        await producer.shutdown()
        let seconds = elapsed.seconds
        print(
            "produce throughput: \(messages) records of \(size) B in \(decimal(seconds, digits: 2)) s = "
                + "\(Int(Double(messages) / seconds)) records/s, "
                + "\(decimal(Double(messages * size) / seconds / 1_000_000, digits: 1)) MB/s "
                + "(linger 5 ms, idempotent, acks=all; \(producer.deliveryFailureCount) failed, "
                + "\(queueFullWaits) queue-full waits)"
        )
    }

    /// One record every 1/`rate` s with the low-latency defaults; each carries its send time.
    private func latency(_ cluster: EmbeddedKafkaCluster, logger: Logger) async throws {
        let topic = "bench.latency"
        try cluster.createTopic(name: topic, partitions: 1)
        let producerConfiguration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        var consumerConfiguration = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers)
        if let fetchWaitMs { consumerConfiguration.fetchWaitMax = .milliseconds(fetchWaitMs) }
        let fetchWait = consumerConfiguration.fetchWaitMax
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try await consumer.assign([TopicPartitionOffset(topic: topic, partition: 0, offset: TopicPartitionOffset.end)])
        let clock = ContinuousClock()
        let origin = clock.now
        let total = rate * seconds
        let payloadSize = size

        let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
            group.addTask {
                var samples: [Duration] = []
                samples.reserveCapacity(total)
                for await record in consumer.messages {
                    let sentAt = record.value.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
                    let sequence = record.value.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) }
                    if sequence >= 0 { samples.append(clock.now - origin - .nanoseconds(sentAt)) }
                    if sequence == Int64(total - 1) { break }
                }
                return samples
            }
            func record(_ sequence: Int) -> ProducerRecord {
                var value = [UInt8](repeating: 0, count: max(payloadSize, 16))
                let sentAt = (clock.now - origin).nanoseconds
                value.withUnsafeMutableBytes {
                    $0.storeBytes(of: sentAt, as: Int64.self)
                    $0.storeBytes(of: Int64(sequence), toByteOffset: 8, as: Int64.self)
                }
                return ProducerRecord(topic: topic, partition: 0, key: Array("room-1".utf8), value: value)
            }
            // Warm up until the consumer's fetch position is established.
            for _ in 0..<200 {
                try producer.sendAndForget(record(-1))
                try await Task.sleep(for: .milliseconds(5))
            }
            let interval = Duration.seconds(1) / rate
            var deadline = clock.now
            for sequence in 0..<total {
                deadline += interval
                try await clock.sleep(until: deadline)
                try producer.sendAndForget(record(sequence))
            }
            return try await group.next() ?? []
        }
        await consumer.close()
        await producer.shutdown()

        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return print("produce→consume latency: no samples") }
        func percentile(_ p: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print(
            "produce→consume latency at \(rate) records/s, \(sorted.count) records: "
                + "p50 \(ms(percentile(0.5))) ms, p99 \(ms(percentile(0.99))) ms, "
                + "p99.9 \(ms(percentile(0.999))) ms, max \(ms(sorted.last!)) ms "
                + "(linger \(ms(producerConfiguration.linger)) ms, fetch wait \(ms(fetchWait)) ms, idempotent, acks=all)"
        )
    }

    private func ms(_ duration: Duration) -> String { decimal(duration.seconds * 1000, digits: 2) }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
