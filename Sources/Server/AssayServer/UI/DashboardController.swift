import AssayDomain
import Hummingbird

/// `GET /dashboard`: one page that shows the catalog, route statistics, ETL runs, product leaders and an enrichment
/// view. The page, its script and stylesheet need no token; the script asks for one, keeps it in the browser session
/// and sends it as a bearer token to the fragment routes, which render HTML from the same use cases as the API:
/// `GET /dashboard/panels?window=` (read scope) and `POST /dashboard/enrichment` (the body of `POST /enrichment`;
/// `?format=tsv` for the table as a file).
struct DashboardController {
    /// The data behind the panels, each from its use case (``buildRouter`` opens the adapters).
    struct Sources: Sendable {
        var counts: @Sendable (Viewer) async throws -> CatalogCounts
        var routes: @Sendable (_ window: String?, _ limit: Int) async throws -> (window: StatsWindow, items: [RouteCount])
        var runs: @Sendable (_ limit: Int) async throws -> [ETLRun]
        var leaders: @Sendable (_ days: Int, _ limit: Int) async throws -> TopReport
        var enrich: @Sendable (Request, AppRequestContext) async throws -> EnrichmentResponse
    }

    let sources: Sources

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("/dashboard") { _, _ in
            Response.ui(DashboardPage.html, contentType: "text/html; charset=utf-8", cache: "no-cache")
        }
        routes.get("/dashboard/app.js") { _, _ in
            Response.ui(DashboardPage.script, contentType: "text/javascript; charset=utf-8", cache: "no-cache")
        }
        routes.get("/dashboard/app.css") { _, _ in
            Response.ui(DashboardPage.stylesheet, contentType: "text/css; charset=utf-8", cache: "no-cache")
        }
        routes.get("/dashboard/panels", use: panels)
        routes.post("/dashboard/enrichment", use: enrichment)
        return routes
    }

    @Sendable func panels(_ request: Request, context: AppRequestContext) async throws -> Response {
        let window = request.stringQuery("window")
        // /stats reads an empty window as `all`; the dashboard always names one, so an empty one is a mistake.
        if window?.isEmpty == true { throw Problem(.badRequest, detail: "window must be one of 1h, 24h, 7d, all; got an empty value") }
        async let counts = sources.counts(context.viewer)
        async let top = sources.routes(window, DashboardPanels.routeLimit)
        async let runs = sources.runs(DashboardPanels.runLimit)
        let resolved = try await top
        async let leaders = sources.leaders(DashboardPanels.leaderDays(for: resolved.window), DashboardPanels.leaderLimit)
        let panels = try await DashboardPanels(
            counts: counts, window: resolved.window, routes: resolved.items, runs: runs, leaders: leaders)
        return Response.ui(panels.html, contentType: "text/html; charset=utf-8")
    }

    @Sendable func enrichment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let format = request.stringQuery("format") ?? "html"
        guard format == "html" || format == "tsv" else {
            throw Problem(.badRequest, detail: "format must be html or tsv, got '\(format)'")
        }
        let panel = EnrichmentPanel(response: try await sources.enrich(request, context))
        guard format == "tsv" else { return Response.ui(panel.html, contentType: "text/html; charset=utf-8") }
        var response = Response.ui(panel.tsv, contentType: "text/tab-separated-values; charset=utf-8")
        response.headers[.contentDisposition] = "attachment; filename=\"enrichment.tsv\""
        return response
    }
}
