import Prometheus

/// swift-prometheus' factory with the histogram buckets MMS needs (base unit: seconds).
enum MetricsSetup {
    static func factory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        // RPC calls: from a Health check (tens of µs) to a slow listing.
        factory.durationHistogramBuckets["mms_rpc_call_duration_seconds"] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        // Migration attempts: a few meetings take well under a second, a large calendar minutes.
        factory.durationHistogramBuckets["mms_migration_duration_seconds"] = [
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600),
        ]
        return factory
    }
}
