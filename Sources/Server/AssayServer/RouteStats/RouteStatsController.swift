import AssayDomain
import Hummingbird
import NIOCore

/// The route-statistics routes of SPEC §5: count a hit under `/api/`, read the leaders, and the HTTP self-test.
struct RouteStatsController {
    let statistics: RouteStatistics
    let selfTest: SelfTest

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(RouteStatsController.apiRoute, use: hit)
        routes.get("/stats", use: stats)
        routes.post("/test/{n}", use: runSelfTest)
        return routes
    }

    /// The template of the counted route; ``AccessPolicy/apiPath`` names the same one.
    static let apiRoute: RouterPath = "/api/**"

    @Sendable func hit(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Hummingbird drops empty segments of the catch-all: repeated and trailing slashes are gone already.
        let counted = try await statistics.hit(try context.parameters.decodedCatchAll())
        var writer = JSONWriter(capacity: 64 + counted.path.utf8.count)
        writer.routeCount(counted)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: writer.buffer))
    }

    @Sendable func stats(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (window, items) = try await statistics.top(limit: try request.integerQuery("limit"), window: request.stringQuery("window"))
        var writer = JSONWriter(capacity: 64 + items.count * 64)
        writer.raw("{\"items\":[")
        for (index, item) in items.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.routeCount(item)
        }
        writer.raw("],\"window\":")
        writer.string(window.rawValue)
        writer.raw("}")
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: writer.buffer))
    }

    @Sendable func runSelfTest(_ request: Request, context: AppRequestContext) async throws -> SelfTest.Summary {
        let raw = context.parameters.get("n") ?? ""
        guard let n = Int(raw), SelfTest.allowedCounts.contains(n) else {
            let allowed = "\(SelfTest.allowedCounts.lowerBound)...\(SelfTest.allowedCounts.upperBound)"
            throw Problem(.badRequest, detail: "n must be an integer \(allowed), got '\(raw)'")
        }
        return try await selfTest.run(count: n, authorization: request.headers[.authorization])
    }
}

extension JSONWriter {
    /// `{"count": ..., "path": ...}`.
    mutating func routeCount(_ item: RouteCount) {
        raw("{\"count\":")
        integer(item.count)
        raw(",\"path\":")
        string(item.path)
        raw("}")
    }
}
