import AssayDomain
import Foundation
import Hummingbird
public import Prometheus
import Synchronization

/// The server's Prometheus metrics, exposed at `GET /metrics`.
///
/// - `assay_http_requests_total{method, route, status}` and `assay_http_request_duration_seconds{method, route}`:
///   every request, labelled by route template (`/genesets/{id}`, not the concrete path; `unmatched` for no route),
///   so the label set stays small whatever clients send.
/// - `assay_etl_rows_total{file, outcome}` (`read`, `rejected`) and `assay_etl_runs_total{status}`.
/// - `assay_cache_lookups_total{cache, kind, outcome}` (`hit`, `miss`, `error`): the analytics cache, by entry kind
///   (`report`, `leaders`, `generation`).
/// - `assay_route_hits_total{outcome}` (`counted`, `failed`): route-statistics counter increments.
/// - Pool gauges read at scrape time: `assay_postgres_pool_size`, `assay_postgres_calls_in_flight`,
///   `assay_redis_pool_threads`, `assay_redis_connections`, `assay_redis_busy_threads`, `assay_redis_queued_calls`.
/// - Whatever libraries report through swift-metrics when the process bootstraps `MetricsSystem` with a
///   `PrometheusMetricsFactory` over the same registry (as `assay serve` does).
public final class AppMetrics: Sendable {
    /// The registry every metric of this server is in.
    public let registry: PrometheusCollectorRegistry
    /// Each request series' handles, so a request does not look its metrics up by name and labels in the registry.
    private let requestSeries = Mutex<[RequestSeries: (count: Counter, duration: DurationHistogram)]>([:])
    /// Run before every scrape: they set gauges from the pools' current state.
    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    private struct RequestSeries: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    /// Request duration buckets, 1 ms to 10 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    /// Creates metrics over `registry` (a fresh one by default, so tests and embedded servers do not share counts).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Counts one answered request and its duration.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let key = RequestSeries(method: method, route: route, status: status)
        let series = requestSeries.withLock { $0[key] } ?? makeRequestSeries(key)
        series.count.increment()
        series.duration.record(duration)
    }

    private func makeRequestSeries(_ key: RequestSeries) -> (count: Counter, duration: DurationHistogram) {
        let series = (
            count: registry.makeCounter(
                descriptor: .init(namespace: "assay", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
                labels: [("method", key.method), ("route", key.route), ("status", String(key.status))]),
            duration: registry.makeDurationHistogram(
                descriptor: .init(namespace: "assay", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer"),
                labels: [("method", key.method), ("route", key.route)], buckets: Self.durationBuckets)
        )
        requestSeries.withLock { $0[key] = series }
        return series
    }

    /// The counter of lookups in `cache` for entries of `kind` with this outcome (`hit`, `miss`, `error`).
    func cacheLookups(cache: String, kind: String, outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(
                namespace: "assay", metricName: "cache_lookups", unitName: "total", helpText: "Cache lookups by entry kind and outcome"),
            labels: [("cache", cache), ("kind", kind), ("outcome", outcome)])
    }

    /// The counter of route-statistics increments with this outcome (`counted`, `failed`).
    func routeHits(outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(namespace: "assay", metricName: "route_hits", unitName: "total", helpText: "Route-statistics increments"),
            labels: [("outcome", outcome)])
    }

    /// Publishes `read()` as the gauge `assay_{name}`, read again before every scrape.
    public func gauge(_ name: String, help: String, _ read: @escaping @Sendable () -> Int) {
        let gauge = registry.makeGauge(descriptor: .init(namespace: "assay", metricName: name, unitName: "", helpText: help))
        gauge.set(Double(read()))
        scrapeHooks.withLock { $0.append { gauge.set(Double(read())) } }
    }

    /// Counts a finished ETL run and its rows.
    func recordETL(_ run: ETLRun) {
        registry.makeCounter(
            descriptor: .init(namespace: "assay", metricName: "etl_runs", unitName: "total", helpText: "ETL runs by final status"),
            labels: [("status", run.status.rawValue)]
        ).increment()
        let rows: [(String, String, Int)] = [
            (ETLFile.users.rawValue, "read", run.counts.users), (ETLFile.compounds.rawValue, "read", run.counts.compounds),
            (ETLFile.experiments.rawValue, "read", run.counts.experiments), ("all", "rejected", run.counts.rejected),
        ]
        for (file, outcome, count) in rows {
            registry.makeCounter(
                descriptor: .init(namespace: "assay", metricName: "etl_rows", unitName: "total", helpText: "ETL rows by file and outcome"),
                labels: [("file", file), ("outcome", outcome)]
            ).increment(by: Int64(count))
        }
    }

    /// The routes: `GET /metrics` in Prometheus' text format.
    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("/metrics") { _, _ in
            for hook in self.scrapeHooks.withLock({ $0 }) { hook() }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: self.registry.emitToBuffer())))
        }
        return routes
    }
}
