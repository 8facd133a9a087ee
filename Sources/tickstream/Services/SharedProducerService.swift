import ServiceLifecycle
import TickstreamKafka

/// Keeps the producer that `serve`'s worker and gateway share until graceful shutdown, then flushes and closes it.
///
/// Before them in the service group, so that it stops after both have sent their last records, and after the
/// embedded cluster, so that the cluster is still up for the flush.
struct SharedProducerService: Service {
    let producer: KafkaProducer
    let flushTimeout: Duration

    func run() async throws {
        try? await gracefulShutdown()
        await producer.shutdown(flushTimeout: flushTimeout)
    }
}
