import Metrics
import Prometheus
import TickstreamGateway

/// Sends swift-metrics to one Prometheus registry, the one `/metrics` renders.
enum MetricsBootstrap {
    static func prometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.tickstream(registry: registry))
        return registry
    }
}
