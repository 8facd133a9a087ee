import CRdKafka

/// The parts of a librdkafka message that outlive it, copied into Swift values.
struct MessageCopy {
    let topic: String
    let key: [UInt8]?
    let value: [UInt8]
    let headers: [KafkaRecordHeader]

    init(_ message: UnsafePointer<rd_kafka_message_t>) {
        let m = message.pointee
        topic = String(cString: rd_kafka_topic_name(m.rkt))
        key = m.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        value = m.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            headers = KafkaRecordHeader.all(in: list)
        } else {
            headers = []
        }
    }

    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        self.init(UnsafePointer(message))
    }
}
