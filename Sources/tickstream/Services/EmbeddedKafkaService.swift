import Logging
import ServiceLifecycle
import TickstreamKafka

/// Keeps the embedded Kafka cluster up until graceful shutdown, then takes it down.
///
/// First in `serve`'s service group, so that it stops last, after the services that use it.
struct EmbeddedKafkaService: Service {
    let cluster: EmbeddedKafkaCluster

    func run() async throws {
        try? await gracefulShutdown()
        cluster.shutdown()
    }
}
