public import Logging
public import TickstreamKafka

/// Reads ranges of Tickstream's partitions with a consumer of its own: no group, partitions assigned,
/// nothing committed, so that replay never disturbs the workers.
///
/// Every call is bounded in time: a cluster that does not answer within `timeout` is reported as unreachable,
/// and a read that makes no progress for `timeout` is reported as stalled.
public final class LogReader: Sendable {
    private let consumer: KafkaConsumer
    private let admin: KafkaAdmin
    private let bootstrapServers: String
    /// How long to wait for an answer, or for the next record of a range known to hold more.
    public let timeout: Duration

    /// - Parameter properties: any other librdkafka property, e.g. security settings.
    public init(bootstrapServers: String, properties: [String: String] = [:], timeout: Duration = .seconds(10), logger: Logger) throws {
        self.consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, clientID: "tickstream-replay", fetchWaitMax: .milliseconds(100), eventBufferSize: 4096, properties: properties),
            logger: logger
        )
        self.admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: bootstrapServers, properties: properties), logger: logger)
        self.bootstrapServers = bootstrapServers
        self.timeout = timeout
    }

    /// Closes the clients.
    public func close() async {
        await consumer.close()
        await admin.shutdown()
    }

    /// The number of partitions of `topic`.
    /// - Throws: `ReplayError.clusterUnreachable` if the cluster does not answer, or `unknownRoom` if the topic does not exist.
    public func partitionCount(of topic: String) async throws(ReplayError) -> Int32 {
        do {
            return Int32(try await admin.describe(topic: topic, timeout: timeout).partitions.count)
        } catch let error as KafkaError where error == .unknownTopicOrPartition {
            throw .unknownRoom("topic \(topic) does not exist at \(bootstrapServers): check --topic-prefix")
        } catch {
            throw unreachable(error)
        }
    }

    /// The first offset and the offset after the last record of `partition`.
    public func watermarks(_ partition: TopicPartition) async throws(ReplayError) -> (low: Int64, high: Int64) {
        do {
            return try await consumer.watermarks(topic: partition.topic, partition: partition.partition, timeout: timeout)
        } catch {
            throw unreachable(error)
        }
    }

    /// The offsets `range` covers in `partition`: `start..<end`.
    /// - Parameter strict: refuse a `fromOffset` or `toOffset` outside what the partition holds, rather than clamp it.
    /// - Throws: `ReplayError.offsetOutOfRange` (strict), `clusterUnreachable`.
    public func offsets(of range: ReadRange, in partition: TopicPartition, strict: Bool) async throws(ReplayError) -> Range<Int64> {
        let (low, high) = try await watermarks(partition)
        if strict {
            for offset in [range.fromOffset, range.toOffset].compactMap(\.self) where offset < low || offset >= high {
                throw .offsetOutOfRange("offset \(offset) is out of range of \(partition), which holds offsets \(low)..<\(high)")
            }
        }
        var start = max(low, range.fromOffset ?? low)
        var end = min(high, range.toOffset.map { $0 + 1 } ?? high)
        if let since = range.since {
            start = max(start, try await offset(at: since, in: partition, high: high))
        }
        if let until = range.until {
            end = min(end, try await offset(at: until + 1, in: partition, high: high))
        }
        return start..<max(start, end)
    }

    /// Reads the records of `offsets` of `partition` in order, handing each to `body`.
    /// - Parameter progress: called about once a second on a long read.
    /// - Throws: `ReplayError.stalled` if no record arrives for `timeout` although the range holds more;
    ///   whatever `body` throws.
    public func read(
        _ partition: TopicPartition,
        offsets: Range<Int64>,
        progress: (ReadProgress) -> Void = { _ in },
        _ body: (ConsumerRecord) throws -> Void
    ) async throws {
        guard !offsets.isEmpty else { return }
        do {
            try await consumer.assign([TopicPartitionOffset(partition, offset: offsets.lowerBound)])
        } catch {
            throw unreachable(error)
        }
        let watchdog = Watchdog(limit: timeout)
        var lastReport = ContinuousClock.now
        var reached = offsets.lowerBound
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [consumer] in await watchdog.watch { await consumer.close() } }
            defer { group.cancelAll() }
            for await record in consumer.messages {
                // Records prefetched for an earlier assignment may still be buffered.
                guard record.topic == partition.topic, record.partition == partition.partition, record.offset >= reached else { continue }
                watchdog.touch()
                if record.offset >= offsets.upperBound { break }
                reached = record.offset + 1
                try body(record)
                if ContinuousClock.now - lastReport > .seconds(1) {
                    lastReport = .now
                    progress(ReadProgress(partition: partition, read: reached - offsets.lowerBound, total: Int64(offsets.count)))
                }
                if reached >= offsets.upperBound { break }
            }
        }
        if watchdog.hasFired {
            throw ReplayError.stalled("reading \(partition) stopped at offset \(reached) of \(offsets.lowerBound)..<\(offsets.upperBound): no record for \(timeout)")
        }
    }

    /// Reads `partitions` from the given offsets and goes on with every new record until the task is cancelled.
    public func follow(_ partitions: [TopicPartitionOffset], _ body: (ConsumerRecord) throws -> Void) async throws {
        do {
            try await consumer.assign(partitions)
        } catch {
            throw unreachable(error)
        }
        for await record in consumer.messages {
            try body(record)
        }
    }

    /// The first offset at or after `timestamp`, or `high` if none.
    private func offset(at timestamp: Int64, in partition: TopicPartition, high: Int64) async throws(ReplayError) -> Int64 {
        do {
            let offset = try await consumer.offsets(forTimestamp: timestamp, partitions: [partition], timeout: timeout).first?.offset ?? -1
            return offset < 0 ? high : offset
        } catch {
            throw unreachable(error)
        }
    }

    private func unreachable(_ error: any Error) -> ReplayError {
        .clusterUnreachable("Kafka at \(bootstrapServers) did not answer within \(timeout): \(error)")
    }
}
