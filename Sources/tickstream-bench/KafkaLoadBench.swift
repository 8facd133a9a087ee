import ArgumentParser
import Logging
import Synchronization
import TickstreamKafka

/// What the Kafka clients cost at a gateway's input rate: records produced with a delivery callback each (as the
/// gateway logs inputs) and consumed from every partition (as a worker reads them), against a cluster in another
/// process, so that this process's CPU is the two clients' alone.
///
/// `--inputs-per-record` packs that many inputs into one record at the same input rate: how much of the clients'
/// cost is per record, and so what batching a room's inputs would save.
struct KafkaLoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-load",
        abstract: "CPU of a producer and a consumer carrying a gateway's inputs, against a cluster in another process."
    )

    @Option(help: "The cluster's bootstrap servers (start one with `tickstream kafka`).")
    var brokers: String

    @Option(help: "Inputs per second (arena-500: 15,000).")
    var inputsPerSecond = 15_000

    @Option(help: "Bytes of one input (an arena input record is about 30).")
    var inputBytes = 30

    @Option(help: "Inputs carried by one record.")
    var inputsPerRecord = 1

    @Option(help: "Rooms, the records' keys.")
    var rooms = 20

    @Option(help: "The topic (created by its first record where the cluster auto-creates topics).")
    var topic = "bench.kafka-load"

    @Option(help: "The producer's linger.ms (default: the configuration's, as the gateway uses it).")
    var lingerMs: Double?

    @Option(help: "The consumer's fetch.wait.max.ms (default: the configuration's, as the worker uses it).")
    var fetchWaitMs: Int?

    @Option(help: "Seconds measured, after 3 s of warm-up.")
    var seconds = 20.0

    /// The threads that are the Kafka clients' own, by name: librdkafka's and ``KafkaProducer``'s and
    /// ``KafkaConsumer``'s poll threads.
    private static let kafkaThreads = ["rdk:", "kafka-"]

    func validate() throws {
        guard inputsPerSecond > 0, inputBytes > 0, inputsPerRecord > 0, rooms > 0, seconds > 0 else {
            throw ValidationError("rates, sizes, rooms and seconds must be positive")
        }
    }

    func run() async throws {
        var logger = Logger(label: "tickstream.bench.kafka-load")
        logger.logLevel = .error
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: brokers, deliveryTimeout: .seconds(10))
        if let lingerMs { producerConfiguration.linger = .microseconds(Int64(lingerMs * 1000)) }
        var consumerConfiguration = KafkaConsumerConfiguration(bootstrapServers: brokers)
        if let fetchWaitMs { consumerConfiguration.fetchWaitMax = .milliseconds(fetchWaitMs) }
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        // A first record creates the topic where the cluster auto-creates topics (the embedded one does).
        do {
            _ = try await producer.send(ProducerRecord(topic: topic, value: []))
        } catch {
            await producer.shutdown()
            throw BenchFailure("cannot produce to \(topic) on \(brokers): \(error)")
        }
        let partitions = try await producer.partitionCount(topic: topic)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try await consumer.assign(
            (0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.end) }
        )

        let counts = LoadCounts()
        let reader = Task {
            for await _ in consumer.messages {
                counts.consumed()
            }
        }

        // Records go out every millisecond, the rooms in turn, as a gateway's inputs arrive spread over time.
        let recordsPerSecond = Double(inputsPerSecond) / Double(inputsPerRecord)
        let keys = (0..<rooms).map { Array("room-\($0)".utf8) }
        let value = [UInt8](repeating: 0x2A, count: inputBytes * inputsPerRecord)
        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start + .seconds(3)
        let end = measureFrom + .seconds(seconds)
        var sent = 0.0
        var next = 0
        var measuring = false
        var before = (process: CPUTime.process(), kafka: CPUTime.threads(named: Self.kafkaThreads), counts: counts.totals)
        var deadline = start
        while deadline < end {
            deadline += .milliseconds(1)
            try await clock.sleep(until: deadline)
            if !measuring, deadline >= measureFrom {
                measuring = true
                before = (CPUTime.process(), CPUTime.threads(named: Self.kafkaThreads), counts.totals)
            }
            sent += recordsPerSecond / 1000
            while sent >= 1 {
                sent -= 1
                try producer.send(ProducerRecord(topic: topic, key: keys[next % rooms], value: value)) { result in
                    counts.delivered(failed: (try? result.get()) == nil)
                }
                next += 1
            }
        }
        let cpu = (CPUTime.process() - before.process).total
        let kafka = (CPUTime.threads(named: Self.kafkaThreads) - before.kafka).total
        let measured = counts.totals - before.counts
        reader.cancel()
        await consumer.close()
        await producer.shutdown()

        let perSecond = { (value: Int) in Int(Double(value) / seconds) }
        print(
            "kafka-load: \(inputsPerSecond) inputs/s of \(inputBytes) B, \(inputsPerRecord) a record "
                + "(\(perSecond(measured.delivered)) records/s delivered, \(perSecond(measured.consumed)) consumed, "
                + "\(measured.failed) failed), \(rooms) keys over \(partitions) partitions, linger "
                + "\(decimal(producerConfiguration.linger.seconds * 1000)) ms, fetch wait "
                + "\(decimal(consumerConfiguration.fetchWaitMax.seconds * 1000)) ms, \(decimal(seconds)) s"
        )
        let perInput = { (cpu: Double) in decimal(cpu * 1e6 / (Double(inputsPerSecond) * seconds), digits: 2) }
        print(
            "  Kafka client threads (librdkafka's and the poll threads): \(decimal(kafka * 1000 / seconds)) ms CPU a "
                + "second, \(perInput(kafka)) µs per input; the whole process, with the loop that paces the sends: "
                + "\(decimal(cpu * 1000 / seconds)) ms a second, \(perInput(cpu)) µs per input"
        )
    }
}

/// Records delivered and consumed, counted from the producer's poll thread and the reading task.
private final class LoadCounts: Sendable {
    struct Totals {
        var delivered = 0
        var failed = 0
        var consumed = 0

        static func - (later: Totals, earlier: Totals) -> Totals {
            Totals(
                delivered: later.delivered - earlier.delivered,
                failed: later.failed - earlier.failed,
                consumed: later.consumed - earlier.consumed
            )
        }
    }

    private let state = Mutex(Totals())

    var totals: Totals { state.withLock { $0 } }

    func delivered(failed: Bool) {
        state.withLock {
            $0.delivered += 1
            if failed { $0.failed += 1 }
        }
    }

    func consumed() {
        state.withLock { $0.consumed += 1 }
    }
}
