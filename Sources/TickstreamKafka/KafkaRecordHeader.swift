/// A Kafka record header: a name and opaque bytes. Keys may repeat within a record.
public struct KafkaRecordHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]

    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
