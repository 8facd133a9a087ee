/// A fire-and-forget record the cluster did not acknowledge, with the reason.
public struct DeliveryFailure: Sendable {
    /// The record as librdkafka held it; `partition` is the one it was bound for, if chosen already.
    public var record: ProducerRecord
    public var error: KafkaError

    public init(record: ProducerRecord, error: KafkaError) {
        self.record = record
        self.error = error
    }
}
