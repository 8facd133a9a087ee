import CRdKafka
import Logging

/// What librdkafka's C callbacks reach through a handle's opaque pointer.
///
/// Callbacks run on the thread that polls (error, delivery, rebalance) or on librdkafka's own threads (log).
final class RdKafkaContext: Sendable {
    typealias DeliveryHandler = @Sendable (UnsafePointer<rd_kafka_message_t>) -> Void
    typealias RebalanceHandler =
        @Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void

    let logger: Logger
    /// Called for client-level errors; `nil` lets librdkafka log them instead of queueing them for a poller.
    let onError: (@Sendable (KafkaError) -> Void)?
    let onDelivery: DeliveryHandler?
    let onRebalance: RebalanceHandler?

    init(
        logger: Logger,
        onError: (@Sendable (KafkaError) -> Void)? = nil,
        onDelivery: DeliveryHandler? = nil,
        onRebalance: RebalanceHandler? = nil
    ) {
        self.logger = logger
        self.onError = onError
        self.onDelivery = onDelivery
        self.onRebalance = onRebalance
    }

    static func from(_ rk: OpaquePointer?) -> RdKafkaContext {
        Unmanaged<RdKafkaContext>.fromOpaque(rd_kafka_opaque(rk)!).takeUnretainedValue()
    }

    /// Installs the C callbacks that forward to this context on `conf`.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            let context = RdKafkaContext.from(rk)
            let text = message.map { String(cString: $0) } ?? ""
            let facility = facility.map { String(cString: $0) } ?? ""
            context.logger.log(level: .init(syslog: level), "\(text)", metadata: ["rdkafka.facility": "\(facility)"])
        }
        if onError != nil {
            rd_kafka_conf_set_error_cb(conf) { rk, err, reason, _ in
                let error = KafkaError(rd_kafka_resp_err_t(rawValue: err), message: reason.map { String(cString: $0) })
                RdKafkaContext.from(rk).onError?(error)
            }
        }
        if onDelivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { rk, message, _ in
                guard let message else { return }
                RdKafkaContext.from(rk).onDelivery?(message)
            }
        }
        if onRebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, _ in
                guard let rk, let partitions else { return }
                RdKafkaContext.from(rk).onRebalance?(rk, err, partitions)
            }
        }
    }
}

extension Logger.Level {
    /// Maps a syslog level, as librdkafka logs, to a log level.
    init(syslog level: Int32) {
        switch level {
        case ...3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
