import Metrics
import Prometheus

/// Sends swift-metrics to one Prometheus registry, the one `/metrics` renders.
enum MetricsBootstrap {
    static func prometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
