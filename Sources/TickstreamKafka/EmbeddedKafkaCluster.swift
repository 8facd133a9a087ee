import CRdKafka
public import Logging
import Synchronization

/// An in-process Kafka cluster: librdkafka's mock cluster, speaking the real protocol on loopback.
///
/// Other processes can attach to ``bootstrapServers`` (e.g. `kcat -b <bootstrap> -L`). Unlike a real cluster
/// (librdkafka 2.0.2's mock) it:
/// - keeps records in memory only and ignores topic configs (compaction is not modelled);
/// - cannot create topics through the Admin API: use ``createTopic(name:partitions:replicationFactor:)``;
/// - reports every broker as a replica of every partition, whatever the replication factor;
/// - answers offset-for-time queries with -1 (``KafkaConsumer/offsets(forTimestamp:partitions:timeout:)`` falls
///   back to a search);
/// - refuses offset commits once a rebalance has begun (`REBALANCE_IN_PROGRESS`), where real Kafka accepts them
///   from the current generation, so a commit made while acknowledging a revocation fails here;
/// - holds an empty fetch for the whole `fetch.wait.max.ms`, even when records arrive meanwhile.
public final class EmbeddedKafkaCluster: Sendable {
    /// The host handle librdkafka's mock cluster lives on, and the cluster; `nil` after ``shutdown()``.
    private let state: Mutex<MockCluster?>
    /// The brokers' `host:port` list.
    public let bootstrapServers: String
    /// Broker ids run from 1 to `brokerCount`.
    public let brokerCount: Int

    /// `@unchecked Sendable`: librdkafka's mock cluster is driven by its own thread and its API is thread-safe;
    /// the pointers are only used under `state`'s lock and destroyed once.
    private struct MockCluster: @unchecked Sendable {
        let host: RdKafkaHandle
        let cluster: OpaquePointer
    }

    /// Starts a cluster of `brokers` brokers on ephemeral loopback ports.
    public init(brokers: Int = 3, logger: Logger = Logger(label: "tickstream.kafka.embedded")) throws {
        precondition(brokers > 0, "a cluster has at least one broker")
        // The mock cluster needs a client instance to hang off; it does nothing else.
        let host = try RdKafkaHandle(type: RD_KAFKA_PRODUCER, properties: [:], context: RdKafkaContext(logger: logger))
        let cluster = try host.withLease { rk throws(KafkaError) in
            guard let cluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
                throw KafkaError.librdkafka(KafkaErrorCode(RD_KAFKA_RESP_ERR__FAIL)).with(message: "mock cluster")
            }
            return cluster
        }
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
        self.state = Mutex(MockCluster(host: host, cluster: cluster))
    }

    deinit { shutdown() }

    /// Creates `name`; replicas are placed on distinct brokers, so `replicationFactor` ≤ the broker count.
    ///
    /// - Throws: ``KafkaError/closed`` after ``shutdown()``, or librdkafka's error.
    public func createTopic(name: String, partitions: Int32, replicationFactor: Int16 = 1) throws {
        try withCluster { cluster throws(KafkaError) in
            let err = rd_kafka_mock_topic_create(cluster, name, partitions, Int32(replicationFactor))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, message: "create topic \(name)") }
        }
    }

    /// Disconnects broker `id` and refuses new connections; partition leadership does not move.
    public func setBrokerDown(_ id: Int32) throws {
        try check("set broker \(id) down") { rd_kafka_mock_broker_set_down($0, id) }
    }

    /// Lets broker `id` accept connections again.
    public func setBrokerUp(_ id: Int32) throws {
        try check("set broker \(id) up") { rd_kafka_mock_broker_set_up($0, id) }
    }

    /// Delays every response of broker `id` by `roundTripTime`.
    public func setBrokerRoundTripTime(_ id: Int32, _ roundTripTime: Duration) throws {
        try check("set broker \(id) RTT") { rd_kafka_mock_broker_set_rtt($0, id, roundTripTime.milliseconds) }
    }

    /// Holds broker `id`'s answer to its next request of type `apiKey` for `delay`; other requests are not held.
    public func delayNextResponse(to apiKey: KafkaAPIKey, fromBroker id: Int32, by delay: Duration) throws {
        try check("delay broker \(id)'s next response to API key \(apiKey.rawValue)") {
            tickstream_mock_push_request_error_rtt($0, id, apiKey.rawValue, RD_KAFKA_RESP_ERR_NO_ERROR, delay.milliseconds)
        }
    }

    /// How many of the delays set for broker `id`'s requests of type `apiKey` still wait for their request: 0 once
    /// the broker took the request whose answer ``delayNextResponse(to:fromBroker:by:)`` holds, so that a test can
    /// wait for that moment.
    public func pendingResponseFaults(to apiKey: KafkaAPIKey, onBroker id: Int32) throws -> Int {
        var count = 0
        try check("count broker \(id)'s pending faults for API key \(apiKey.rawValue)") {
            rd_kafka_mock_broker_error_stack_cnt($0, id, apiKey.rawValue, &count)
        }
        return count
    }

    /// Moves the leadership of a partition to broker `id` (-1: no leader).
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws {
        try check("set leader of \(topic)[\(partition)]") {
            rd_kafka_mock_partition_set_leader($0, topic, partition, id)
        }
    }

    /// Makes the next requests of type `apiKey`, cluster-wide, fail with `errors`, in order, one each.
    ///
    /// ``KafkaErrorCode/transport`` makes the broker drop the connection instead of answering.
    public func injectRequestErrors(apiKey: KafkaAPIKey, errors: [KafkaErrorCode]) throws {
        let codes = errors.map(\.err)
        try withCluster { cluster in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, codes.count, codes)
        }
    }

    /// Destroys the cluster; clients attached to it see their brokers disappear. Idempotent.
    public func shutdown() {
        guard let mock = state.withLock({ $0.take() }) else { return }
        rd_kafka_mock_cluster_destroy(mock.cluster)
        mock.host.close()
    }

    private func withCluster<T>(_ body: (OpaquePointer) throws(KafkaError) -> T) throws(KafkaError) -> T {
        try state.withLock { mock throws(KafkaError) in
            guard let mock else { throw KafkaError.closed }
            return try body(mock.cluster)
        }
    }

    private func check(_ what: String, _ body: (OpaquePointer) -> rd_kafka_resp_err_t) throws(KafkaError) {
        let err = try withCluster { body($0) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, message: what) }
    }
}

extension EmbeddedKafkaCluster {
    /// Creates `topics`, skipping those that exist, like ``KafkaAdmin/createTopics(_:timeout:)`` on a real
    /// cluster. Topic configs are not modelled by the embedded cluster and are ignored.
    public func createTopics(_ topics: [TopicSpecification]) throws {
        for topic in topics {
            do {
                try createTopic(name: topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor)
            } catch let error as KafkaError where error.code == .topicAlreadyExists {
                continue
            }
        }
    }
}
