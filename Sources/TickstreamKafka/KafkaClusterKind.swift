/// Whether a client talks to Kafka brokers or to librdkafka's mock cluster (the embedded cluster of
/// `tickstream serve` and `tickstream kafka`): the two answer an empty fetch differently, so a consumer's
/// `fetch.wait.max.ms` that suits one costs on the other.
public enum KafkaClusterKind: Sendable, Hashable {
    /// librdkafka's mock cluster, which holds an empty fetch for the whole wait even when records arrive meanwhile.
    case embedded
    /// Kafka brokers, which answer a waiting fetch as soon as data arrives.
    case brokers

    /// The kind of the cluster with this id (``KafkaAdmin/clusterID(timeout:)``): librdkafka names its mock
    /// clusters `mockCluster<hex>`, and Kafka names a cluster with a random base64 UUID.
    public init(clusterID: String) {
        self = clusterID.hasPrefix("mockCluster") ? .embedded : .brokers
    }

    /// The consumers' fetch wait that suits this kind of cluster.
    ///
    /// - embedded: 2 ms. Every record waits up to the whole fetch wait there, so this keeps produce → consume p99
    ///   under 5 ms.
    /// - brokers: 100 ms. A broker answers as soon as data arrives, so the wait costs no latency. It only sets how
    ///   often an idle consumer asks again: about 10 empty fetches a second per broker instead of 500 at 2 ms.
    public var fetchWaitMax: Duration {
        switch self {
        case .embedded: .milliseconds(2)
        case .brokers: .milliseconds(100)
        }
    }
}
