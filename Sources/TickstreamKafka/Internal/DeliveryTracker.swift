import CRdKafka
import CoreMetrics
import Logging
import Synchronization

/// Matches librdkafka's delivery reports to the sends waiting for them, and surfaces fire-and-forget failures.
///
/// A send that waits registers its completion under an id passed to librdkafka as the message opaque (ids start
/// at 1: a zero opaque is a fire-and-forget record, and so is a record whose sender stopped waiting). Reports call
/// completions directly on the polling thread, so reports never pile up.
final class DeliveryTracker: Sendable {
    /// What a waiting send does with its outcome: resume a task, or go on from the polling thread.
    typealias Completion = @Sendable (Result<DeliveryReport, any Error>) -> Void

    private let state = Mutex(State())
    private let failureCount = Atomic<Int>(0)
    private let failureInput: AsyncStream<DeliveryFailure>.Continuation
    let failures: AsyncStream<DeliveryFailure>
    private let failureCounter: Counter
    private let logger: Logger

    private struct State: ~Copyable {
        var nextID: UInt = 1
        var pending: [UInt: Completion] = [:]
        var closed = false
    }

    /// - Parameter failureCounter: counts every record not delivered, awaited or not.
    init(failureBufferSize: Int, failureCounter: Counter, logger: Logger) {
        (failures, failureInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(failureBufferSize))
        self.failureCounter = failureCounter
        self.logger = logger
    }

    var totalFailures: Int { failureCount.load(ordering: .relaxed) }

    /// Registers a waiting send and returns the opaque id for its record.
    func register(_ completion: @escaping Completion) throws(KafkaError) -> UInt {
        let id = state.withLock { state -> UInt? in
            guard !state.closed else { return nil }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = completion
            return state.nextID
        }
        guard let id else { throw KafkaError.closed }
        return id
    }

    /// Removes a registration whose record was never enqueued.
    func cancel(_ id: UInt) -> Completion? {
        state.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// Handles one delivery report; runs on the thread that polls.
    func report(_ message: UnsafePointer<rd_kafka_message_t>) {
        let id = UInt(bitPattern: message.pointee._private)
        let err = message.pointee.err
        // A zero opaque is a fire-and-forget record; so is one whose sender stopped waiting (cancelled).
        guard id != 0, let completion = state.withLock({ $0.pending.removeValue(forKey: id) }) else {
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { fail(message) }
            return
        }
        if err == RD_KAFKA_RESP_ERR_NO_ERROR {
            completion(
                .success(
                    DeliveryReport(
                        topic: String(cString: rd_kafka_topic_name(message.pointee.rkt)),
                        partition: message.pointee.partition,
                        offset: message.pointee.offset
                    )
                )
            )
        } else {
            failureCounter.increment()
            completion(.failure(KafkaError(err, message: Self.errorString(message), delivery: true)))
        }
    }

    /// Fails every waiting send with ``KafkaError/closed`` and refuses new registrations.
    func close() {
        let pending = state.withLock { state in
            state.closed = true
            defer { state.pending = [:] }
            return state.pending
        }
        for completion in pending.values { completion(.failure(KafkaError.closed)) }
        failureInput.finish()
    }

    private func fail(_ message: UnsafePointer<rd_kafka_message_t>) {
        let error = KafkaError(message.pointee.err, message: Self.errorString(message), delivery: true)
        let record = ProducerRecord(message)
        let count = failureCount.add(1, ordering: .relaxed).newValue
        failureCounter.increment()
        // Log the 1st, 10th, 100th... failure: a dead cluster fails every queued record at once.
        if Self.isPowerOfTen(count) {
            logger.warning(
                "Fire-and-forget delivery failed",
                metadata: ["kafka.topic": "\(record.topic)", "kafka.error": "\(error)", "kafka.failures": "\(count)"]
            )
        }
        failureInput.yield(DeliveryFailure(record: record, error: error))
    }

    private static func isPowerOfTen(_ value: Int) -> Bool {
        var value = value
        while value >= 10, value % 10 == 0 { value /= 10 }
        return value == 1
    }

    private static func errorString(_ message: UnsafePointer<rd_kafka_message_t>) -> String {
        String(cString: rd_kafka_err2str(message.pointee.err))
    }
}

extension ProducerRecord {
    /// Rebuilds the record librdkafka reports on, for a failure the owner may want to retry or dead-letter.
    init(_ message: UnsafePointer<rd_kafka_message_t>) {
        let copy = MessageCopy(message)
        self.init(
            topic: copy.topic,
            partition: message.pointee.partition >= 0 ? message.pointee.partition : nil,
            key: copy.key,
            value: copy.value,
            headers: copy.headers
        )
    }
}

extension KafkaRecordHeader {
    /// Copies the headers of a librdkafka header list.
    static func all(in list: OpaquePointer) -> [KafkaRecordHeader] {
        var headers: [KafkaRecordHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(
                KafkaRecordHeader(
                    key: name.map { String(cString: $0) } ?? "",
                    value: value.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                )
            )
            index += 1
        }
        return headers
    }
}
