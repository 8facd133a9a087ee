import CRdKafka
import CoreMetrics
public import Logging
import NIOPosix
import Synchronization

/// Produces records to Kafka with librdkafka.
///
/// A dedicated thread polls librdkafka, which serves delivery reports as soon as they arrive; blocking calls
/// (flush, metadata) run on a small thread pool. Neither ever occupies Swift's cooperative pool.
///
/// Call ``shutdown(flushTimeout:)`` when done; dropping the last reference without it stops the poll thread and
/// destroys the client without flushing.
public final class KafkaProducer: Sendable {
    private let handle: RdKafkaHandle
    private let deliveries: DeliveryTracker
    private let stop = StopSignal()
    private let pollThread: PollThread
    private let logger: Logger

    /// Creates the producer; it connects in the background.
    ///
    /// - Throws: ``KafkaError/invalidConfiguration`` for an unknown property or an invalid value.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        let deliveries = DeliveryTracker(
            failureBufferSize: configuration.deliveryFailureBufferSize,
            failureCounter: KafkaMetrics.deliveryFailures(client: configuration.clientID),
            logger: logger
        )
        let errors = KafkaMetrics.errors(client: configuration.clientID, role: "producer")
        let context = RdKafkaContext(
            logger: logger,
            // librdkafka logs these itself; most are transient and retried.
            onError: { error in
                errors.increment()
                logger.debug("Kafka producer error", metadata: ["kafka.error": "\(error)"])
            },
            onDelivery: { deliveries.report($0) }
        )
        let handle = try RdKafkaHandle(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.librdkafkaProperties,
            context: context,
            partitioner: true
        )
        self.handle = handle
        self.deliveries = deliveries
        self.logger = logger
        self.pollThread = PollThread(name: "kafka-producer") { [stop] in
            Self.poll(handle, deliveries: deliveries, until: stop)
        }
    }

    deinit {
        if stop.stop() { wakePoller() }
    }

    /// Fire-and-forget records that failed; see ``KafkaDeliveryFailures``.
    public var deliveryFailures: KafkaDeliveryFailures { KafkaDeliveryFailures(stream: deliveries.failures) }

    /// How many fire-and-forget records failed since the producer started.
    public var deliveryFailureCount: Int { deliveries.totalFailures }

    /// Sends `record` and waits until the cluster acknowledges it.
    ///
    /// Waits at most ``KafkaProducerConfiguration/deliveryTimeout``. Cancelling the task ends the wait with
    /// `CancellationError` but does not withdraw the record (a leave logged by a closing connection must still go
    /// out): it is delivered, or fails, as a fire-and-forget record would.
    /// - Throws: ``KafkaError/queueFull`` when the local queue is full (back off), a delivery error
    ///   (``KafkaError/timedOut``, ``KafkaError/messageTooLarge``...), ``KafkaError/closed``, or `CancellationError`.
    public func send(_ record: ProducerRecord) async throws -> DeliveryReport {
        let wait = CancellableWait()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                do {
                    let id = try enqueue(record) { continuation.resume(with: $0) }
                    if !wait.begin(id) {
                        // Cancelled already: the record goes out unawaited.
                        deliveries.cancel(id)?(.failure(CancellationError()))
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            if let id = wait.cancel() {
                deliveries.cancel(id)?(.failure(CancellationError()))
            }
        }
    }

    /// Sends `record` and calls `onDelivery` once the cluster acknowledged it or its delivery failed (at the latest
    /// after ``KafkaProducerConfiguration/deliveryTimeout``), for a caller that goes on from there instead of
    /// awaiting: a NIO channel handler, say.
    ///
    /// `onDelivery` runs on the producer's poll thread, which serves every delivery report: keep it short, and hop
    /// to where the work continues.
    /// - Throws: ``KafkaError/queueFull`` when the local queue is full (back off), ``KafkaError/closed``, or another
    ///   error when the record cannot be enqueued at all; `onDelivery` is then never called.
    public func send(
        _ record: ProducerRecord,
        onDelivery: @escaping @Sendable (Result<DeliveryReport, any Error>) -> Void
    ) throws(KafkaError) {
        try enqueue(record, onDelivery: onDelivery)
    }

    /// Enqueues `record` with `onDelivery` registered for its report; returns the registration's id.
    @discardableResult
    private func enqueue(
        _ record: ProducerRecord,
        onDelivery: @escaping DeliveryTracker.Completion
    ) throws(KafkaError) -> UInt {
        let id = try deliveries.register(onDelivery)
        do {
            try enqueue(record, opaque: UnsafeMutableRawPointer(bitPattern: id))
        } catch {
            _ = deliveries.cancel(id)
            throw error
        }
        return id
    }

    /// Enqueues `record` without waiting for its acknowledgement.
    ///
    /// A record that later fails is reported in ``deliveryFailures``, counted and logged.
    /// - Throws: ``KafkaError/queueFull`` when the local queue is full (back off, or drop by policy), or another
    ///   error when the record cannot be enqueued at all.
    public func sendAndForget(_ record: ProducerRecord) throws {
        try enqueue(record, opaque: nil)
    }

    /// Waits until every enqueued record is acknowledged or failed.
    ///
    /// - Throws: ``KafkaError/timedOut`` if records are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws {
        try await NIOThreadPool.kafka.runIfActive { [handle] in
            try handle.withLease { rk throws(KafkaError) in
                let err = rd_kafka_flush(rk, timeout.milliseconds)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(err, message: "\(rd_kafka_outq_len(rk)) records outstanding after \(timeout)")
                }
            }
        }
    }

    /// The number of partitions of `topic`, from the cluster's metadata.
    ///
    /// - Throws: ``KafkaError/unknownTopicOrPartition`` or ``KafkaError/timedOut``.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await NIOThreadPool.kafka.runIfActive { [handle] in
            try Int32(handle.describe(topic: topic, timeout: timeout).partitions.count)
        }
    }

    /// Makes the producer know `topics` before its first record to them, and for as long as it runs.
    ///
    /// librdkafka holds the records of a topic it has no metadata for until its next topic scan, once a second, and
    /// keeps metadata fresh only for the topics it knows of (those it has sent to); what it looked up for others
    /// expires after `metadata.max.age.ms` (15 minutes). A client that starts long before its first record to a topic
    /// (a worker waiting for its first room) would otherwise send that record up to a second late.
    ///
    /// - Throws: ``KafkaError/unknownTopicOrPartition`` for a topic the cluster does not have (this never creates
    ///   one: asking for a topic by name makes brokers that auto-create topics create it), or ``KafkaError/timedOut``.
    public func learn(topics: [String], timeout: Duration = .seconds(10)) async throws {
        try await NIOThreadPool.kafka.runIfActive { [handle] in
            let existing = Set(try handle.topics(timeout: timeout).map(\.name))
            for topic in topics {
                guard existing.contains(topic) else {
                    throw KafkaError.unknownTopicOrPartition.with(message: "no topic \(topic)")
                }
                try handle.keepKnowing(topic: topic)
            }
        }
    }

    /// The names of the topics the producer knows (see ``learn(topics:timeout:)``), sorted; every topic of the cluster
    /// while it knows none.
    func knownTopics(timeout: Duration = .seconds(10)) async throws -> [String] {
        try await NIOThreadPool.kafka.runIfActive { [handle] in try handle.knownTopics(timeout: timeout).map(\.name) }
    }

    /// Flushes for at most `flushTimeout`, then destroys the client.
    ///
    /// Records still outstanding are purged and fail with a delivery error; sends still waiting fail with
    /// ``KafkaError/closed``.
    public func shutdown(flushTimeout: Duration = .seconds(10)) async {
        guard !stop.isStopped else { return await pollThread.join() }
        do {
            try await flush(timeout: flushTimeout)
        } catch {
            logger.warning("Kafka producer shuts down with records unflushed", metadata: ["kafka.error": "\(error)"])
        }
        if stop.stop() { wakePoller() }
        await pollThread.join()
    }

    private func wakePoller() {
        try? handle.withLease { rk in
            let queue = rd_kafka_queue_get_main(rk)
            rd_kafka_queue_yield(queue)
            rd_kafka_queue_destroy(queue)
        }
    }

    /// The poll loop: `rd_kafka_poll` returns as soon as a report or an error is served.
    private static func poll(_ handle: RdKafkaHandle, deliveries: DeliveryTracker, until stop: StopSignal) {
        try? handle.withLease { rk in
            while !stop.isStopped {
                rd_kafka_poll(rk, 100)
            }
            rd_kafka_purge(rk, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_poll(rk, 0)
        }
        deliveries.close()
        handle.close()
    }

    private func enqueue(_ record: ProducerRecord, opaque: UnsafeMutableRawPointer?) throws(KafkaError) {
        try handle.withLease { rk throws(KafkaError) in
            let headers = record.headers.isEmpty ? nil : rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                header.value.withUnsafeBytes {
                    _ = rd_kafka_header_add(headers, header.key, -1, $0.baseAddress, $0.count)
                }
            }
            let error = record.topic.withCString { topic in
                record.value.withUnsafeBytes { value in
                    withKey(record.key) { key in
                        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                            var count = 0
                            func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                                var vu = rd_kafka_vu_t()
                                vu.vtype = type
                                set(&vu)
                                vus[count] = vu
                                count += 1
                            }
                            add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                            add(RD_KAFKA_VTYPE_VALUE) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                                $0.u.mem.size = value.count
                            }
                            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                            add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                            if let key {
                                add(RD_KAFKA_VTYPE_KEY) {
                                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                                    $0.u.mem.size = key.count
                                }
                            }
                            if let partition = record.partition {
                                add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition }
                            }
                            if let headers {
                                add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
                            }
                            return rd_kafka_produceva(rk, vus.baseAddress, count)
                        }
                    }
                }
            }
            if let error {
                // librdkafka owns the headers only once the record is enqueued.
                if let headers { rd_kafka_headers_destroy(headers) }
                throw KafkaError(consuming: error)
            }
        }
    }
}

private func withKey<T>(_ key: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
    guard let key else { return body(nil) }
    return key.withUnsafeBytes { body($0) }
}

/// The registration of one waiting send, for a cancellation that may come before or after it.
private final class CancellableWait: Sendable {
    private enum State {
        case starting
        case waiting(UInt)
        case cancelled
    }

    private let state = Mutex(State.starting)

    /// Records the send's delivery id; false if the task was cancelled first.
    func begin(_ id: UInt) -> Bool {
        state.withLock { state in
            guard case .starting = state else { return false }
            state = .waiting(id)
            return true
        }
    }

    /// Marks the wait cancelled; returns the delivery id to stop waiting for, if the send had begun.
    func cancel() -> UInt? {
        state.withLock { state in
            defer { state = .cancelled }
            if case .waiting(let id) = state { return id }
            return nil
        }
    }
}
