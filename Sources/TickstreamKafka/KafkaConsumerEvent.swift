/// What a ``KafkaConsumer`` reports, in the order it happened.
public enum KafkaConsumerEvent: Sendable {
    /// A record of an assigned partition.
    case message(ConsumerRecord)
    /// The group gave this consumer these partitions (in addition to those it has, with the cooperative
    /// protocol). Records of them follow.
    case assigned([TopicPartition])
    /// The group takes these partitions away. Every record of them delivered before this event is still the
    /// owner's to finish: checkpoint, commit, then call ``RevocationAcknowledgement/acknowledge()``. The
    /// partitions are given up only then, or after ``KafkaConsumerConfiguration/revocationTimeout``.
    ///
    /// The acknowledgement is `nil` when the partitions were lost (the session expired): another member may own
    /// them already, so do not commit for them; nothing waits.
    case revoked([TopicPartition], RevocationAcknowledgement?)
    /// An error librdkafka reported; most are transient (a broker restarting) and librdkafka retries by itself.
    case error(KafkaError)
}
