import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AssayServer

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test func metricsCountRequestsByRouteTemplateAndStatusAndETLRows() async throws {
        try await withApp { client in
            _ = try await client.createGeneset("Metric Genes", ["BRCA1"])
            for _ in 0..<3 { _ = try await client.execute(uri: "/genesets/999", method: .get) }
            _ = try await client.execute(uri: "/genesets/\(UUID().uuidString.prefix(4))x", method: .get)
            _ = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(try await client.execute(uri: "/etl?wait=true", method: .post).status == .ok)

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(text.contains(#"assay_http_requests_total{method="GET",route="/genesets/{id}",status="404"} 3"#), "\(text)")
            #expect(text.contains(#"assay_http_requests_total{method="GET",route="/genesets/{id}",status="400"} 1"#))
            #expect(text.contains(#"assay_http_requests_total{method="POST",route="/genesets",status="201"} 1"#))
            #expect(text.contains(#"route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"assay_http_request_duration_seconds_count{method="GET",route="/genesets/{id}"} 4"#))
            #expect(text.contains(#"assay_etl_runs_total{status="success"} 1"#))
            #expect(text.contains(#"assay_etl_rows_total{file="user_experiments.csv",outcome="read"} 18"#))
            // Concrete paths never become labels: the label set stays bounded whatever clients send.
            #expect(!text.contains("/genesets/999"))

            try expectProblem(try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer nope"]), .unauthorized)
        }
    }

    @Test func metricsCountAnalyticsCacheLookupsAndRouteHits() async throws {
        try await withApp { client in
            let created = try await client.execute(
                uri: "/products", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"Flask","category":"glass","price":2.5}"#))
            #expect(created.status == .created)
            // Cold: the report is looked up, then looked up again inside the single flight; warm: one hit.
            for _ in 0..<2 { #expect(try await client.execute(uri: "/products/1/analytics", method: .get).status == .ok) }
            for path in ["/api/a", "/api/a", "/api/b"] { #expect(try await client.execute(uri: path, method: .get).status == .ok) }

            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains(#"assay_cache_lookups_total{cache="analytics",kind="report",outcome="miss"} 2"#), "\(text)")
            #expect(text.contains(#"assay_cache_lookups_total{cache="analytics",kind="report",outcome="hit"} 1"#))
            // Creating the product set its generation, so both requests found it.
            #expect(text.contains(#"assay_cache_lookups_total{cache="analytics",kind="generation",outcome="hit"} 2"#))
            #expect(text.contains(#"assay_cache_lookups_total{cache="analytics",kind="leaders",outcome="hit"} 0"#))
            #expect(text.contains(#"assay_route_hits_total{outcome="counted"} 3"#))
            #expect(text.contains(#"assay_route_hits_total{outcome="failed"} 0"#))
        }
    }
}
