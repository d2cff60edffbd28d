public import AssayDomain
import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
public import Logging
import Prometheus

/// The concrete application type every configuration builds.
public typealias AssayApplication = Application<RouterResponder<AppRequestContext>>

/// Builds the Assay application from configuration over `adapters` (by default the ones the configuration chooses,
/// ``Adapters/make(_:logger:metrics:operationTimeout:)``), reporting to `metrics` (by default the process-wide registry). Before the server takes requests: the store is prepared
/// (migrations), demo data is loaded into an empty catalog, and a first admin token is created when none exists.
/// `drain`, when given, is the one ``ShutdownDrain/serve(_:logger:)`` runs: `/ready` and responses follow it.
public func buildApplication(
    _ configuration: AssayConfiguration, adapters: Adapters? = nil, clock: any WallClock = SystemClock(), metrics: AppMetrics? = nil,
    logger: Logger? = nil, drain: ShutdownDrain? = nil
) async throws -> AssayApplication {
    var baseLogger = logger ?? Logger(label: "assay")
    baseLogger.logLevel = configuration.logLevel
    let logger = baseLogger

    // By default the process-wide registry: `assay serve` also bootstraps swift-metrics over it, so library metrics join ours.
    let metrics = metrics ?? AppMetrics(registry: PrometheusMetricsFactory.defaultRegistry)
    let adapters = try adapters ?? Adapters.make(configuration, logger: logger, metrics: metrics)
    return try assemble(
        configuration, adapters: adapters, tokenStore: adapters.tokens, clock: clock, metrics: metrics, logger: logger,
        drain: drain ?? ShutdownDrain(seconds: configuration.drainSeconds, logger: logger))
}

/// ``buildApplication(_:adapters:clock:metrics:logger:drain:)`` with the token store's concrete type opened.
private func assemble(
    _ configuration: AssayConfiguration, adapters: Adapters, tokenStore: some TokenStore, clock: any WallClock, metrics: AppMetrics,
    logger: Logger, drain: ShutdownDrain
) throws -> AssayApplication {
    let tokens = TokenService(store: tokenStore, hasher: SHA256TokenHasher(), clock: clock, cacheSeconds: configuration.tokenCacheSeconds)
    let router = buildRouter(
        adapters: adapters, tokens: tokens, clock: clock, metrics: metrics, configuration: configuration, drain: drain)
    var app = try makeApplication(router: router.router, address: router.address, configuration: configuration, logger: logger)
    app.addServices(adapters.services)
    app.beforeServerStarts {
        try await adapters.prepare(migrate: configuration.migrateOnStart)
        if let directory = configuration.seedsDirectory {
            try await SeedLoader.load(directory: directory, into: adapters.genesets, logger: logger)
            try await SeedLoader.loadGeneReference(directory: directory, into: adapters.geneReference, logger: logger)
        }
        try await announceBootstrapToken(tokens, configuration: configuration, logger: logger)
    }
    return app
}

/// On a store without tokens, creates the admin token and tells the operator how to use it, once.
func announceBootstrapToken(_ tokens: TokenService<some TokenStore>, configuration: AssayConfiguration, logger: Logger) async throws {
    guard let issued = try await tokens.bootstrapAdmin(secret: configuration.adminToken) else { return }
    if configuration.adminToken != nil {
        logger.notice("created the admin token from ASSAY_ADMIN_TOKEN", metadata: ["token_id": "\(issued.token.id)"])
    } else {
        FileHandle.standardOutput.write(
            Data(
                """

                ==> No access token existed, so an admin token was created. It is shown only this once:

                    export ASSAY_TOKEN=\(issued.secret)
                    curl -H "Authorization: Bearer $ASSAY_TOKEN" \(configuration.tlsCertificate == nil ? "http" : "https")://\(configuration.host):\(configuration.port)/genesets


                """.utf8))
    }
}

/// The HTTP server around `router`: HTTP/1.1, or with a certificate TLS 1.2+ with HTTP/2 offered by ALPN.
func makeApplication(
    router: Router<AppRequestContext>, address: ServerAddress, configuration: AssayConfiguration, logger: Logger
) throws -> AssayApplication {
    let limits = ConnectionLimits(configuration)
    var server = HTTPServerBuilder.guardedHTTP1(limits: limits)
    if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
        server = .guardedTLS(try TLSSetup.serverConfiguration(certificatePath: certificate, keyPath: key), limits: limits)
    }
    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "assay"),
        onServerRunning: { channel in address.record(channel.localAddress) },
        logger: logger
    )
}

/// The router with every route and the middleware chain: body limit, request ids and logs, problems, then
/// authentication and the scope check of ``AccessPolicy``; and the address the server will listen on, which
/// the route self-test needs.
func buildRouter(
    adapters: Adapters, tokens: TokenService<some TokenStore>, clock: any WallClock, metrics: AppMetrics = AppMetrics(),
    configuration: AssayConfiguration, drain: ShutdownDrain? = nil
) -> (router: Router<AppRequestContext>, address: ServerAddress) {
    let address = ServerAddress()
    let router = Router(context: AppRequestContext.self)
    let policy = AccessPolicy(apiPublic: configuration.apiPublic)
    if let drain { router.add(middleware: DrainMiddleware(drain: drain)) }
    router.add(
        middleware: RequestMiddleware(
            maxBodyBytes: configuration.maxBodyBytes,
            uploadLimits: ["/etl": configuration.etlMaxUploadBytes, "/collections/{id}/gmt": configuration.etlMaxUploadBytes],
            metrics: metrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: TokenAuthenticator(tokens: tokens, policy: policy))
    router.add(middleware: ScopeMiddleware(policy: policy))
    router.addRoutes(HealthController(probes: adapters.probes, drain: drain).endpoints)
    router.addRoutes(OpenAPIController(path: configuration.openAPIPath).endpoints)
    router.addRoutes(DocsController(assets: DocsAssets(directory: configuration.docsAssetsDirectory)).endpoints)
    router.addRoutes(metrics.endpoints)
    let geneNames = makeGeneNames(adapters.geneReference)
    router.addRoutes(geneReferenceRoutes(adapters.geneReference))
    router.addRoutes(genesetRoutes(adapters.genesets, collections: adapters.collections, clock: clock, geneNames: geneNames))
    router.addRoutes(collectionRoutes(adapters.collections, geneReference: adapters.geneReference, clock: clock))
    let enrichment = enrichmentRoutes(adapters.enrichment, geneNames: geneNames)
    router.addRoutes(enrichment.routes)
    router.addRoutes(TokenController(tokens: tokens).endpoints)
    router.addRoutes(IdentityController().endpoints)
    router.addRoutes(featureRoutes(adapters.features, clock: clock, metrics: metrics, configuration: configuration))
    let statistics = RouteStatistics(counter: MeteredRouteCounter(adapters.routeCounter, metrics: metrics), clock: clock)
    router.addRoutes(
        RouteStatsController(statistics: statistics, selfTest: SelfTest(address: address, certificatePath: configuration.tlsCertificate))
            .endpoints)
    let products = productRoutes(adapters.products, cache: adapters.analyticsCache, clock: clock, metrics: metrics, configuration: configuration)
    router.addRoutes(products.routes)
    let dashboard = DashboardController.Sources(
        counts: catalogCounts(adapters.genesets, adapters.collections),
        routes: { window, limit in try await statistics.top(limit: limit, window: window) },
        runs: etlRuns(adapters.features, clock: clock),
        leaders: products.leaders,
        enrich: enrichment.enrich)
    router.addRoutes(DashboardController(sources: dashboard).endpoints)
    addMethodNotAllowed(to: router)
    return (router, address)
}

// Each feature's routes over its concrete adapter: passing an existential here opens it, so controllers and use cases
// are specialised for the adapter rather than dispatching through `any` on every call.

private func geneReferenceRoutes(_ store: some GeneReferenceStore) -> RouteCollection<AppRequestContext> {
    GeneReferenceController(resolver: GeneResolver(store: store)).endpoints
}

private func makeGeneNames(_ store: some GeneReferenceStore) -> GeneNames {
    GeneNames(GeneResolver(store: store))
}

private func genesetRoutes(
    _ repository: some GenesetRepository, collections: some CollectionRepository, clock: any WallClock, geneNames: GeneNames
) -> RouteCollection<AppRequestContext> {
    let collections = CollectionCatalog(repository: collections, clock: clock)
    return GenesetController(
        catalog: GenesetCatalog(repository: repository, clock: clock), geneNames: geneNames,
        collectionSpecies: { try await collections.collection(id: $0).species }
    ).endpoints
}

private func collectionRoutes(
    _ repository: some CollectionRepository, geneReference: some GeneReferenceStore, clock: any WallClock
) -> RouteCollection<AppRequestContext> {
    CollectionController(catalog: CollectionCatalog(repository: repository, clock: clock), resolver: GeneResolver(store: geneReference))
        .endpoints
}

/// The enrichment routes, and the same controller's analysis for the dashboard's enrichment view.
private func enrichmentRoutes(
    _ source: some EnrichmentSource, geneNames: GeneNames
) -> (routes: RouteCollection<AppRequestContext>, enrich: @Sendable (Request, AppRequestContext) async throws -> EnrichmentResponse) {
    let controller = EnrichmentController(service: EnrichmentService(source: source), geneNames: geneNames)
    return (controller.endpoints, controller.enrich)
}

private func catalogCounts(
    _ genesets: some GenesetRepository, _ collections: some CollectionRepository
) -> @Sendable (Viewer) async throws -> CatalogCounts {
    let overview = CatalogOverview(genesets: genesets, collections: collections)
    return { viewer in try await overview.counts(for: viewer) }
}

private func etlRuns(_ store: some FeatureStore, clock: any WallClock) -> @Sendable (Int) async throws -> [ETLRun] {
    let etl = FeatureETL(store: store, clock: clock)
    return { limit in try await etl.runs(limit: limit, cursor: nil).items }
}

private func featureRoutes(
    _ store: some FeatureStore, clock: any WallClock, metrics: AppMetrics, configuration: AssayConfiguration
) -> RouteCollection<AppRequestContext> {
    FeatureController(etl: FeatureETL(store: store, clock: clock), dataDirectory: configuration.etlDataDirectory, metrics: metrics).endpoints
}

/// The product routes, and the same use case's leaders for the dashboard (one cache and one in-flight computation).
private func productRoutes(
    _ repository: some ProductRepository, cache: any AnalyticsCache, clock: any WallClock, metrics: AppMetrics,
    configuration: AssayConfiguration
) -> (routes: RouteCollection<AppRequestContext>, leaders: @Sendable (_ days: Int, _ limit: Int) async throws -> TopReport) {
    let analytics = ProductAnalytics(
        repository: repository, cache: MeteredAnalyticsCache(cache, metrics: metrics), clock: clock, ttl: configuration.analyticsCacheSeconds)
    return (ProductController(analytics: analytics).endpoints, { days, limit in try await analytics.top(by: "views", days: days, limit: limit) })
}

/// Answers 405 with `Allow` to the common methods a route does not have (instead of 404), for every route
/// registered so far; call it after the last route.
func addMethodNotAllowed(to router: Router<AppRequestContext>) {
    let query = HTTPRequest.Method("QUERY").map { [$0] } ?? []
    let candidates: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .options, .trace] + query
    let registered = Dictionary(grouping: router.routes, by: { $0.path.description }).mapValues { Set($0.map(\.method)) }
    for (path, methods) in registered {
        let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
        for method in candidates where !methods.contains(method) {
            router.on(RouterPath(path), method: method) { _, _ -> Response in
                var problem = Problem(.methodNotAllowed, detail: "\(method.rawValue) is not allowed on \(path); allowed: \(allow)")
                problem.headers[.allow] = allow
                throw problem
            }
        }
    }
}
