import CRdKafka
import Logging
import Synchronization

/// Owns one `rd_kafka_t` and the context its callbacks use.
///
/// Every use of the pointer is a lease (``withLease(_:)``); ``close()`` refuses new leases and the last lease
/// to end destroys the handle, so no call ever sees a destroyed handle.
///
/// `@unchecked Sendable`: librdkafka handles are thread-safe, and the lease count guards their lifetime.
final class RdKafkaHandle: @unchecked Sendable {
    private let pointer: OpaquePointer
    let context: RdKafkaContext
    private let retainedContext: Unmanaged<RdKafkaContext>
    private let leases = Mutex<(closing: Bool, count: Int)>((false, 0))

    /// Creates a client of `type` from librdkafka properties.
    ///
    /// - Parameter partitioner: partition records without an explicit partition with ``RoomPartitioner``.
    /// - Throws: ``KafkaError/invalidConfiguration`` for an unknown property or an invalid value.
    init(
        type: rd_kafka_type_t,
        properties: [String: String],
        context: RdKafkaContext,
        partitioner: Bool = false
    ) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        if partitioner {
            let topicConf = rd_kafka_topic_conf_new()
            rd_kafka_topic_conf_set_partitioner_cb(topicConf) { topic, key, keyLength, partitionCount, _, _ in
                guard let key, keyLength > 0 else {
                    return rd_kafka_msg_partitioner_random(topic, key, keyLength, partitionCount, nil, nil)
                }
                return RoomPartitioner.partition(
                    forKey: UnsafeRawBufferPointer(start: key, count: keyLength),
                    partitionCount: partitionCount
                )
            }
            // Before the properties: topic-level ones set on `conf` land in its default topic configuration.
            rd_kafka_conf_set_default_topic_conf(conf, topicConf)
        }
        do {
            for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
                try Self.set(name, value, on: conf)
            }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        context.install(on: conf)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())

        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError.invalidConfiguration.with(message: String(errorBuffer: errstr))
        }
        self.pointer = rk
        self.context = context
        self.retainedContext = retained
    }

    /// Runs `body` with the handle, which stays alive until `body` returns.
    ///
    /// - Throws: ``KafkaError/closed`` once ``close()`` was called, or what `body` throws.
    func withLease<T>(_ body: (OpaquePointer) throws(KafkaError) -> T) throws(KafkaError) -> T {
        let leased = leases.withLock { leases in
            if leases.closing { return false }
            leases.count += 1
            return true
        }
        guard leased else { throw KafkaError.closed }
        defer { endLease() }
        return try body(pointer)
    }

    /// Refuses new leases; the handle is destroyed now, or when the last lease ends.
    ///
    /// Destruction blocks while librdkafka stops its threads: call it off the cooperative pool.
    func close() {
        let destroyNow = leases.withLock { leases in
            defer { leases.closing = true }
            return !leases.closing && leases.count == 0
        }
        if destroyNow { destroy() }
    }

    private func endLease() {
        let destroyNow = leases.withLock { leases in
            leases.count -= 1
            return leases.closing && leases.count == 0
        }
        if destroyNow { destroy() }
    }

    /// Destroys the client without closing a consumer again: `KafkaConsumer` closes on its poll thread first, and
    /// the last lease may end on any thread, where a second close could block (or hang: seen with 2.0.2's mock).
    private func destroy() {
        rd_kafka_destroy_flags(pointer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
        retainedContext.release()
    }

    private static func set(_ name: String, _ value: String, on conf: OpaquePointer) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            throw KafkaError.invalidConfiguration.with(message: String(errorBuffer: errstr))
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, clamped to librdkafka's `int` timeouts.
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(ms, 0))
    }
}

extension String {
    /// Decodes the NUL-terminated message librdkafka wrote into `buffer`.
    init(errorBuffer buffer: [CChar]) {
        self = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
