import CRdKafka
public import Logging
import NIOPosix

/// Creates and describes topics of a real cluster.
///
/// The embedded cluster does not implement the Admin API's CreateTopics: create its topics with
/// ``EmbeddedKafkaCluster/createTopics(_:)``. Listing, describing and watermarks work on both.
/// Every call blocks on a small thread pool, never on Swift's cooperative pool.
public final class KafkaAdmin: Sendable {
    private let handle: RdKafkaHandle

    /// - Throws: ``KafkaError/invalidConfiguration`` for an unknown property or an invalid value.
    public init(configuration: KafkaAdminConfiguration, logger: Logger) throws {
        handle = try RdKafkaHandle(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.librdkafkaProperties,
            context: RdKafkaContext(logger: logger)
        )
    }

    deinit { handle.close() }

    /// Creates `topics`; those that exist already are left as they are, so running it twice is harmless.
    ///
    /// - Throws: the first topic's error other than "already exists", or ``KafkaError/timedOut``.
    public func createTopics(_ topics: [TopicSpecification], timeout: Duration = .seconds(30)) async throws {
        guard !topics.isEmpty else { return }
        try await NIOThreadPool.kafka.runIfActive { [handle] in
            try handle.withLease { rk throws(KafkaError) in try Self.createTopics(topics, timeout: timeout, rk) }
        }
    }

    /// Every topic of the cluster (internal ones excluded), sorted by name.
    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [TopicDescription] {
        try await NIOThreadPool.kafka.runIfActive { [handle] in try handle.topics(timeout: timeout) }
    }

    /// One topic's partitions, leaders and replicas.
    ///
    /// - Throws: ``KafkaError/unknownTopicOrPartition`` if it does not exist.
    public func describe(topic: String, timeout: Duration = .seconds(10)) async throws -> TopicDescription {
        try await NIOThreadPool.kafka.runIfActive { [handle] in try handle.describe(topic: topic, timeout: timeout) }
    }

    /// The low and high watermarks of a partition: its first stored offset and the offset of the next record.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws
        -> (low: Int64, high: Int64)
    {
        try await NIOThreadPool.kafka.runIfActive { [handle] in
            try handle.watermarks(TopicPartition(topic: topic, partition: partition), timeout: timeout)
        }
    }

    /// The id the cluster reports in its metadata; it tells librdkafka's mock cluster from Kafka brokers
    /// (``KafkaClusterKind/init(clusterID:)``).
    ///
    /// - Throws: ``KafkaError/timedOut`` if no broker answered within `timeout`.
    public func clusterID(timeout: Duration = .seconds(10)) async throws -> String {
        try await NIOThreadPool.kafka.runIfActive { [handle] in try handle.clusterID(timeout: timeout) }
    }

    /// Destroys the client off the cooperative pool. Later calls throw ``KafkaError/closed``.
    public func shutdown() async {
        try? await NIOThreadPool.kafka.runIfActive { [handle] in handle.close() }
    }

    private static func createTopics(
        _ topics: [TopicSpecification],
        timeout: Duration,
        _ rk: OpaquePointer
    ) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, topic.partitions, Int32(topic.replicationFactor), &errstr, errstr.count
                )
            else { throw KafkaError.invalidConfiguration.with(message: String(errorBuffer: errstr)) }
            newTopics.append(newTopic)
            for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(newTopic, name, value)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.invalidConfiguration.with(message: "\(topic.name): \(name)=\(value)")
                }
            }
        }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.milliseconds, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(rk)
        defer { rd_kafka_queue_destroy(queue) }
        rd_kafka_CreateTopics(rk, &newTopics, newTopics.count, options, queue)

        // The request timeout bounds the answer; the margin covers queueing.
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 1000) else {
            throw KafkaError.timedOut.with(message: "creating topics")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: String(cString: rd_kafka_event_error_string(event)))
        }
        var count = 0
        let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
        for result in UnsafeBufferPointer(start: results, count: count) {
            let err = rd_kafka_topic_result_error(result)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
            let name = String(cString: rd_kafka_topic_result_name(result))
            let reason = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? ""
            throw KafkaError(err, message: "\(name): \(reason)")
        }
    }
}
