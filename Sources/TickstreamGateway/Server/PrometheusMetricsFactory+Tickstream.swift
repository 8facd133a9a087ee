public import Prometheus

extension PrometheusMetricsFactory {
    /// A factory for `registry` whose histogram buckets fit Tickstream's timers: a tick takes microseconds, a Kafka
    /// round trip milliseconds; the library's defaults (5 ms to 10 s) would put all of them in the first bucket.
    public static func tickstream(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let microseconds: [Duration] = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 33_000].map { .microseconds($0) }
        // Fine between 2 and 25 ms, where a Kafka hop's share of a 33 ms tick lies (`tools/latency-stages`).
        let milliseconds: [Duration] = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 25, 50, 100, 250, 500, 1_000, 5_000]
            .map { .microseconds(Int($0 * 1_000)) }
        factory.durationHistogramBuckets = [
            "tickstream_worker_tick_duration_seconds": microseconds,
            "tickstream_gateway_produce_latency_seconds": milliseconds,
            "tickstream_gateway_state_record_age_seconds": milliseconds,
        ]
        return factory
    }
}
