import CoreMetrics

/// The counters every Kafka client keeps, labelled with its `client.id` so that an operator sees which one failed.
enum KafkaMetrics {
    /// Errors librdkafka reported to the client (most are transient and retried): `role` is producer or consumer.
    static func errors(client: String, role: String) -> Counter {
        Counter(label: "tickstream_kafka_errors_total", dimensions: [("client", client), ("role", role)])
    }

    /// Records the cluster did not acknowledge, awaited and fire-and-forget alike.
    static func deliveryFailures(client: String) -> Counter {
        Counter(label: "tickstream_kafka_delivery_failures_total", dimensions: [("client", client)])
    }
}
