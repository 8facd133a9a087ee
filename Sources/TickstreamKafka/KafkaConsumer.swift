import CRdKafka
import CoreMetrics
public import Logging
import NIOPosix

/// Consumes records from Kafka with librdkafka, as a group member or from partitions it assigns itself.
///
/// A dedicated thread blocks in `rd_kafka_consumer_poll`, which returns as soon as a record or an event
/// arrives, and hands what it gets to ``events`` (bounded: a slow owner stops the fetching). librdkafka's
/// rebalance callback runs on that thread too and waits for the owner to acknowledge a revocation. One-off
/// blocking calls (commit, seek, offset queries) run on a small thread pool; none uses Swift's cooperative pool.
///
/// Call ``close()`` when done.
public final class KafkaConsumer: Sendable {
    private let handle: RdKafkaHandle
    private let buffer: BlockingEventBuffer<KafkaConsumerEvent>
    private let stop = StopSignal()
    private let firstAssignment: FirstAssignment
    private let pollThread: PollThread
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger

    /// Creates the consumer; it connects in the background and reads nothing until ``subscribe(topics:)`` or
    /// ``assign(_:)``.
    ///
    /// - Throws: ``KafkaError/invalidConfiguration`` for an unknown property or an invalid value.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        let buffer = BlockingEventBuffer<KafkaConsumerEvent>(capacity: configuration.eventBufferSize)
        let revocationTimeout = configuration.revocationTimeout
        // Known from the configuration, since rd_kafka_rebalance_protocol() can hang when called from a rebalance
        // callback while the consumer closes (librdkafka#4041, unfixed in Debian's 2.0.2).
        let cooperative = configuration.librdkafkaProperties(privateGroupID: "")["partition.assignment.strategy"]?
            .contains("cooperative") ?? false
        let firstAssignment = FirstAssignment(cooperative: cooperative)
        let errors = KafkaMetrics.errors(client: configuration.clientID, role: "consumer")
        let context = RdKafkaContext(
            logger: logger,
            onError: { error in
                errors.increment()
                logger.debug("Kafka consumer error", metadata: ["kafka.error": "\(error)"])
                buffer.push(.error(error))
            },
            onRebalance: { rk, err, partitions in
                if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
                    firstAssignment.assign()
                }
                Self.rebalance(rk, err, partitions, cooperative: cooperative, buffer: buffer, timeout: revocationTimeout, logger: logger)
            }
        )
        let privateGroupID = "tickstream-private-\(UInt64.random(in: 0...UInt64.max))"
        let handle = try RdKafkaHandle(
            type: RD_KAFKA_CONSUMER,
            properties: configuration.librdkafkaProperties(privateGroupID: privateGroupID),
            context: context
        )
        // Errors and rebalances are served by the consumer poll, on the poll thread.
        try handle.withLease { rk in _ = rd_kafka_poll_set_consumer(rk) }
        self.handle = handle
        self.buffer = buffer
        self.firstAssignment = firstAssignment
        self.configuration = configuration
        self.logger = logger
        // Half the close's time may go to awaiting the first assignment; the close itself gets the rest.
        let firstAssignmentWait = configuration.closeTimeout / 2
        self.pollThread = PollThread(name: "kafka-consumer") { [stop, logger] in
            Self.poll(handle, into: buffer, errors: errors, until: stop)
            Self.awaitFirstAssignment(handle, firstAssignment, timeout: firstAssignmentWait, logger: logger)
            Self.close(handle, leavingGroup: stop.leavesGroup)
        }
    }

    deinit {
        buffer.finish()
        stop.stop()
    }

    /// Everything the consumer reports; one reader at a time. See ``KafkaConsumerEvent``.
    public var events: KafkaConsumerEvents { KafkaConsumerEvents(buffer: buffer) }

    /// Just the records; see ``KafkaConsumerMessages``. Shares the buffer with ``events``: read one or the other.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(events: events) }

    /// Joins the group and consumes `topics`; assignments arrive as ``KafkaConsumerEvent/assigned(_:)``.
    ///
    /// Joining takes a few seconds (about 3 on the embedded cluster).
    public func subscribe(topics: [String]) async throws {
        guard configuration.groupID != nil else {
            throw KafkaError.invalidConfiguration.with(message: "subscribe needs a groupID")
        }
        try await blocking { [firstAssignment] rk throws(KafkaError) in
            let list = TopicPartitionList(topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
            try Self.check(rd_kafka_subscribe(rk, list.pointer))
            firstAssignment.subscribe()
        }
    }

    /// Replaces the assignment with `partitions`, each read from its offset (or a logical one such as
    /// ``TopicPartitionOffset/beginning``).
    public func assign(_ partitions: [TopicPartitionOffset]) async throws {
        try await blocking { rk throws(KafkaError) in
            let list = TopicPartitionList(partitions)
            try Self.check(rd_kafka_assign(rk, list.pointer))
        }
    }

    /// Adds `partitions` to the assignment, leaving the others as they are.
    public func addAssignment(_ partitions: [TopicPartitionOffset]) async throws {
        try await blocking { rk throws(KafkaError) in
            let list = TopicPartitionList(partitions)
            if let error = rd_kafka_incremental_assign(rk, list.pointer) { throw KafkaError(consuming: error) }
        }
    }

    /// Removes `partitions` from the assignment, leaving the others as they are.
    public func removeAssignment(_ partitions: [TopicPartition]) async throws {
        try await blocking { rk throws(KafkaError) in
            let list = TopicPartitionList(partitions)
            if let error = rd_kafka_incremental_unassign(rk, list.pointer) { throw KafkaError(consuming: error) }
        }
    }

    /// The current assignment.
    public func assignment() async throws -> [TopicPartition] {
        try await blocking { rk throws(KafkaError) in
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            try Self.check(rd_kafka_assignment(rk, &list))
            guard let list else { return [] }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            return TopicPartitionList.positions(of: list).map(\.topicPartition)
        }
    }

    /// Moves the read position of an assigned partition; records from there follow in ``events``.
    public func seek(_ position: TopicPartitionOffset, timeout: Duration = .seconds(10)) async throws {
        try await blocking { rk throws(KafkaError) in
            let list = TopicPartitionList([position])
            if let error = rd_kafka_seek_partitions(rk, list.pointer, timeout.milliseconds) {
                throw KafkaError(consuming: error)
            }
            if let error = list.firstError { throw error }
        }
    }

    /// Commits `offsets` for the group and waits at most `timeout` for the coordinator to confirm.
    ///
    /// Each offset is the next one to read, i.e. the last processed offset + 1 (``ConsumerRecord/nextPosition``).
    /// librdkafka's synchronous commit waits for a coordinator forever, which hung a shutdown whose broker was
    /// gone: the commit's result is awaited on a queue of its own instead, for a bounded time.
    ///
    /// - Throws: ``KafkaError/timedOut`` when no answer came in time (the commit may still happen later).
    public func commit(_ offsets: [TopicPartitionOffset], timeout: Duration = .seconds(10)) async throws {
        guard !offsets.isEmpty else { return }
        try await blocking { rk throws(KafkaError) in
            let list = TopicPartitionList(offsets)
            let results = rd_kafka_queue_new(rk)
            defer { rd_kafka_queue_destroy(results) }
            try Self.check(rd_kafka_commit_queue(rk, list.pointer, results, nil, nil))
            guard let event = rd_kafka_queue_poll(results, timeout.milliseconds) else {
                throw KafkaError.timedOut
            }
            defer { rd_kafka_event_destroy(event) }
            try Self.check(rd_kafka_event_error(event))
            if let committed = rd_kafka_event_topic_partition_list(event), let error = TopicPartitionList.firstError(of: committed) {
                throw error
            }
        }
    }

    /// The group's committed offsets for `partitions` (``TopicPartitionOffset/stored`` ... -1001 where none).
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws
        -> [TopicPartitionOffset]
    {
        try await blocking { rk throws(KafkaError) in
            let list = TopicPartitionList(partitions)
            try Self.check(rd_kafka_committed(rk, list.pointer, timeout.milliseconds))
            if let error = list.firstError { throw error }
            return list.positions
        }
    }

    /// For each partition, the first offset whose record timestamp is at or after `timestamp` (ms since the
    /// epoch), or the high watermark if there is none: seek there to replay from a point in time.
    ///
    /// librdkafka's `offsets_for_times` answers that directly on a real broker. Where it answers -1 (no record
    /// that late, or the embedded cluster, which does not index time) the offset is found by a binary search over
    /// record timestamps, read with a short-lived probe consumer. The search assumes timestamps grow with offsets
    /// within a partition, as they do for one producer's create times.
    public func offsets(
        forTimestamp timestamp: Int64,
        partitions: [TopicPartition],
        timeout: Duration = .seconds(10)
    ) async throws -> [TopicPartitionOffset] {
        let answered = try await NIOThreadPool.kafka.runIfActive { [handle] in
            try handle.listOffsets(partitions.map { TopicPartitionOffset($0, offset: timestamp) }, timeout: timeout)
        }
        guard answered.contains(where: { $0.offset < 0 }) else { return answered }
        var properties = configuration.librdkafkaProperties(privateGroupID: "")
        properties["group.id"] = "tickstream-probe-\(UInt64.random(in: 0...UInt64.max))"
        return try await NIOThreadPool.kafka.runIfActive { [handle, logger, properties] in
            let deadline = ContinuousClock.now + timeout
            let probe = try TimestampProbe(properties: properties, logger: logger)
            defer { probe.close() }
            return try answered.map { position throws(KafkaError) in
                guard position.offset < 0 else { return position }
                let (low, high) = try handle.watermarks(position.topicPartition, timeout: timeout)
                let offset = try probe.firstOffset(
                    atOrAfter: timestamp, in: position.topicPartition, low: low, high: high, deadline: deadline
                )
                return TopicPartitionOffset(position.topicPartition, offset: offset)
            }
        }
    }

    /// The low and high watermarks of a partition: its first stored offset and the offset of the next record.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws
        -> (low: Int64, high: Int64)
    {
        try await NIOThreadPool.kafka.runIfActive { [handle] in
            try handle.watermarks(TopicPartition(topic: topic, partition: partition), timeout: timeout)
        }
    }

    /// The watermarks of a partition this consumer fetches, as its latest fetch reported them: no request, so
    /// cheap to sample often; nil where not known yet.
    ///
    /// Prefer it to ``watermarks(topic:partition:timeout:)`` for sampling lag: on the embedded cluster the worker's
    /// watermark queries every 5 s raised the p99 latency of that second's inputs from ~45 to 90–175 ms.
    public func fetchedWatermarks(topic: String, partition: Int32) throws -> (low: Int64?, high: Int64?) {
        try handle.fetchedWatermarks(TopicPartition(topic: topic, partition: partition))
    }

    /// Leaves the group and destroys the client; ends ``events``.
    ///
    /// Events still buffered are dropped, and a revocation during the close is not offered to the owner:
    /// checkpoint and commit before closing.
    ///
    /// - Parameter leavingGroup: false destroys the client without leaving its group, as a crash would: the
    ///   group moves its partitions once its session times out. Such a close cannot hang in a rebalance, as
    ///   librdkafka 2.0.2's leaving close sometimes does under load (seen in the crash-takeover test).
    public func close(leavingGroup: Bool = true) async {
        buffer.finish()
        // The poll loop notices within its 100 ms poll timeout. (Waking it with a queue yield would take a lease
        // here, on a cooperative thread, and the last lease destroys the client: a blocking destroy must not run here.)
        stop.stop(leavingGroup: leavingGroup)
        // librdkafka's close can wait forever on a broker that never answers (or on its own bugs, e.g.
        // librdkafka#4883): the caller must not. A close that overruns is abandoned, with its thread.
        if await !pollThread.join(timeout: configuration.closeTimeout) {
            logger.error("Kafka consumer close did not finish; abandoning it", metadata: ["kafka.timeout": "\(configuration.closeTimeout)"])
        }
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws(KafkaError) -> T)
        async throws -> T
    {
        try await NIOThreadPool.kafka.runIfActive { [handle] in try handle.withLease(body) }
    }

    private static func check(_ err: rd_kafka_resp_err_t) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err) }
    }

    /// The poll loop, until `stop`. The consumer is closed on this same thread afterwards, since
    /// `rd_kafka_consumer_close` blocks and serves the last rebalance callback on its caller.
    private static func poll(
        _ handle: RdKafkaHandle,
        into buffer: BlockingEventBuffer<KafkaConsumerEvent>,
        errors: Counter,
        until stop: StopSignal
    ) {
        try? handle.withLease { rk in
            while !stop.isStopped {
                guard let message = rd_kafka_consumer_poll(rk, 100) else { continue }
                let event = KafkaConsumerEvent(message)
                rd_kafka_message_destroy(message)
                if case .error = event { errors.increment() }
                buffer.push(event)
            }
            buffer.finish()
        }
    }

    /// Serves the group, dropping records, until the consumer may be destroyed (see ``FirstAssignment``) or
    /// `timeout` passes: a join that has not ended by then has most likely not reached the coordinator at all.
    private static func awaitFirstAssignment(
        _ handle: RdKafkaHandle,
        _ firstAssignment: FirstAssignment,
        timeout: Duration,
        logger: Logger
    ) {
        guard firstAssignment.isAwaited else { return }
        logger.debug("Closing a cooperative consumer before its first assignment; awaiting it (librdkafka#4312)")
        let deadline = ContinuousClock.now + timeout
        try? handle.withLease { rk in
            while firstAssignment.isAwaited && ContinuousClock.now < deadline {
                if let message = rd_kafka_consumer_poll(rk, 100) {
                    rd_kafka_message_destroy(message)
                }
            }
        }
    }

    /// Leaves the group (unless told not to) and destroys the client.
    private static func close(_ handle: RdKafkaHandle, leavingGroup: Bool) {
        if leavingGroup {
            try? handle.withLease { rk in _ = rd_kafka_consumer_close(rk) }
        }
        handle.close()
    }


    /// librdkafka's rebalance callback: applies the change, and for a revocation first waits for the owner.
    private static func rebalance(
        _ rk: OpaquePointer,
        _ err: rd_kafka_resp_err_t,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        cooperative: Bool,
        buffer: BlockingEventBuffer<KafkaConsumerEvent>,
        timeout: Duration,
        logger: Logger
    ) {
        let partitions = TopicPartitionList.positions(of: list).map(\.topicPartition)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) { logFailure(KafkaError(consuming: error)) }
            } else {
                logFailure(rd_kafka_assign(rk, list))
            }
            buffer.push(.assigned(partitions))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            if rd_kafka_assignment_lost(rk) != 0 {
                buffer.push(.revoked(partitions, nil))
            } else {
                let acknowledgement = RevocationAcknowledgement()
                if buffer.push(.revoked(partitions, acknowledgement)), !acknowledgement.wait(timeout: timeout) {
                    logger.warning(
                        "Revoked partitions were not acknowledged in time; giving them up",
                        metadata: ["kafka.partitions": "\(partitions)", "kafka.timeout": "\(timeout)"]
                    )
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) { logFailure(KafkaError(consuming: error)) }
            } else {
                logFailure(rd_kafka_assign(rk, nil))
            }
        default:
            logger.error("Rebalance failed", metadata: ["kafka.error": "\(KafkaError(err))"])
            logFailure(rd_kafka_assign(rk, nil))
            buffer.push(.error(KafkaError(err)))
        }

        func logFailure(_ err: rd_kafka_resp_err_t) {
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { logFailure(KafkaError(err)) }
        }
        func logFailure(_ error: KafkaError) {
            logger.error("Applying a rebalance failed", metadata: ["kafka.error": "\(error)"])
        }
    }
}

extension KafkaConsumerEvent {
    /// Converts a polled message: a record, or the error librdkafka delivered in its place.
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            self = .error(KafkaError(m.err, message: String(cString: rd_kafka_message_errstr(message))))
            return
        }
        self = .message(ConsumerRecord(message))
    }
}

extension ConsumerRecord {
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let copy = MessageCopy(message)
        self.init(
            topic: copy.topic,
            partition: message.pointee.partition,
            offset: message.pointee.offset,
            key: copy.key,
            value: copy.value,
            timestamp: rd_kafka_message_timestamp(message, nil),
            headers: copy.headers
        )
    }
}
