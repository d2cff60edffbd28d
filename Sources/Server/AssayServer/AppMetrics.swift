import AssayDomain
import Foundation
import Hummingbird
public import Prometheus

/// The server's Prometheus metrics, exposed at `GET /metrics`.
///
/// - `assay_http_requests_total{method, route, status}` and `assay_http_request_duration_seconds{method, route}`:
///   every request, labelled by route template (`/genesets/{id}`, not the concrete path; `unmatched` for no route),
///   so the label set stays small whatever clients send.
/// - `assay_etl_rows_total{file, outcome}` (`read`, `rejected`) and `assay_etl_runs_total{status}`.
/// - Whatever libraries report through swift-metrics when the process bootstraps `MetricsSystem` with a
///   `PrometheusMetricsFactory` over the same registry (as `assay serve` does).
public final class AppMetrics: Sendable {
    /// The registry every metric of this server is in.
    public let registry: PrometheusCollectorRegistry

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
        registry.makeCounter(
            descriptor: .init(namespace: "assay", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "assay", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer"),
            labels: [("method", method), ("route", route)], buckets: Self.durationBuckets
        ).record(duration)
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
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: self.registry.emitToBuffer())))
        }
        return routes
    }
}
