public import AssayDomain
public import AssayInMemory
import Foundation
import AssayPostgres
import AssayRedis
public import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
public import Logging
import PostgresNIO
import Prometheus

/// The concrete application type every configuration builds.
public typealias AssayApplication = Application<RouterResponder<AppRequestContext>>

/// Builds the Assay application from configuration. This is the composition root: the one place that
/// chooses adapters — Postgres when `postgresURL` is set, memory otherwise; Redis for route statistics and the
/// analytics cache when `redisURL` is set, memory otherwise.
public func buildApplication(_ configuration: AssayConfiguration, logger: Logger? = nil) async throws -> AssayApplication {
    var baseLogger = logger ?? Logger(label: "assay")
    baseLogger.logLevel = configuration.logLevel
    let logger = baseLogger

    // The process-wide registry: `assay serve` also bootstraps swift-metrics over it, so library metrics join ours.
    let metrics = AppMetrics(registry: PrometheusMetricsFactory.defaultRegistry)
    var counters = Counters(routeCounter: InMemoryRouteCounter(), analyticsCache: InMemoryAnalyticsCache(), probes: [])
    if let url = configuration.redisURL {
        let settings = try RedisSettings(url: url, poolSize: configuration.redisPoolSize)
        let client = RedisClient(settings: settings, logger: logger)
        counters = Counters(
            routeCounter: RedisRouteCounter(client: client), analyticsCache: RedisAnalyticsCache(client: client),
            probes: [("redis", { try await client.ping() })])
        logger.info("using redis for route statistics", metadata: ["url": "\(settings.redactedURL)", "threads": "\(settings.poolSize)"])
        metrics.gauge("redis_pool_threads", help: "Redis client threads, each with at most one connection") { client.usage.threads }
        metrics.gauge("redis_connections", help: "Open Redis connections") { client.usage.connections }
        metrics.gauge("redis_busy_threads", help: "Redis client threads in a round trip") { client.usage.busy }
        metrics.gauge("redis_queued_calls", help: "Redis calls waiting for a thread") { client.usage.queued }
    }

    let hasher = SHA256TokenHasher()
    guard let url = configuration.postgresURL else {
        let repository = InMemoryGenesetRepository()
        let tokens = TokenService(store: InMemoryTokenStore(), hasher: hasher, cacheSeconds: configuration.tokenCacheSeconds)
        if let directory = configuration.seedsDirectory {
            try await SeedLoader.load(directory: directory, into: repository, logger: logger)
        }
        try await announceBootstrapToken(tokens, configuration: configuration, logger: logger)
        return try makeApplication(
            repository: repository, tokens: tokens, features: InMemoryFeatureStore(), products: InMemoryProductRepository(),
            analyticsCache: counters.analyticsCache, readiness: { _ = await repository.genesetCount() }, routeCounter: counters.routeCounter,
            probes: counters.probes, metrics: metrics, configuration: configuration, logger: logger)
    }

    let settings = try PostgresSettings(url: url, poolSize: configuration.postgresPoolSize)
    let client = PostgresClient(configuration: settings.client, backgroundLogger: logger)
    metrics.gauge("postgres_pool_size", help: "Most Postgres connections the pool opens") { configuration.postgresPoolSize }
    metrics.gauge("postgres_calls_in_flight", help: "Database calls running or waiting for a pooled connection") {
        PostgresActivity.callsInFlight
    }
    let repository = PostgresGenesetRepository(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    let tokens = TokenService(
        store: PostgresTokenStore(client: client, logger: logger, operationTimeout: settings.operationTimeout), hasher: hasher,
        cacheSeconds: configuration.tokenCacheSeconds)
    let features = PostgresFeatureStore(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    let products = PostgresProductRepository(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    var app = try makeApplication(
        repository: repository, tokens: tokens, features: features, products: products, analyticsCache: counters.analyticsCache,
        readiness: { try await repository.ping() }, routeCounter: counters.routeCounter, probes: counters.probes, metrics: metrics,
        configuration: configuration, logger: logger)
    app.addServices(client)
    app.beforeServerStarts {
        logger.info("using postgres", metadata: ["url": "\(settings.redactedURL)", "pool": "\(configuration.postgresPoolSize)"])
        try await SchemaCheck.prepare(client: client, migrate: configuration.migrateOnStart, logger: logger)
        if let directory = configuration.seedsDirectory {
            try await SeedLoader.load(directory: directory, into: repository, logger: logger)
        }
        try await announceBootstrapToken(tokens, configuration: configuration, logger: logger)
    }
    return app
}

/// The route-statistics and analytics-cache adapters the composition root chose, and the readiness probes they bring.
private struct Counters {
    var routeCounter: any RouteCounter
    var analyticsCache: any AnalyticsCache
    var probes: [(name: String, check: @Sendable () async throws -> Void)]
}

/// On a store without tokens, creates the admin token and tells the operator how to use it, once.
func announceBootstrapToken(_ tokens: TokenService<some TokenStore>, configuration: AssayConfiguration, logger: Logger) async throws {
    guard let issued = try await tokens.bootstrapAdmin(secret: configuration.adminToken) else { return }
    if configuration.adminToken != nil {
        logger.notice("created the admin token from ASSAY_ADMIN_TOKEN", metadata: ["token_id": "\(issued.token.id)"])
    } else {
        FileHandle.standardOutput.write(Data(
            """

            ==> No access token existed, so an admin token was created. It is shown only this once:

                export ASSAY_TOKEN=\(issued.secret)
                curl -H "Authorization: Bearer $ASSAY_TOKEN" \(configuration.tlsCertificate == nil ? "http" : "https")://\(configuration.host):\(configuration.port)/genesets


            """.utf8))
    }
}

/// Builds the application over the given adapters; tests and embedders use it to inject their own. `readiness`
/// checks the store; `probes` name further dependencies `/ready` checks (such as Redis).
public func makeApplication<Repository: GenesetRepository, Tokens: TokenStore, Features: FeatureStore, Products: ProductRepository>(
    repository: Repository,
    tokens: TokenService<Tokens>,
    features: Features,
    products: Products,
    analyticsCache: any AnalyticsCache,
    readiness: @escaping @Sendable () async throws -> Void = {},
    routeCounter: any RouteCounter = InMemoryRouteCounter(),
    probes: [(name: String, check: @Sendable () async throws -> Void)] = [],
    clock: any WallClock = SystemClock(),
    metrics: AppMetrics = AppMetrics(),
    configuration: AssayConfiguration,
    logger: Logger
) throws -> AssayApplication {
    let address = ServerAddress()
    let router = buildRouter(
        repository: repository, tokens: tokens, features: features, products: products, analyticsCache: analyticsCache, readiness: readiness,
        routeCounter: routeCounter, probes: probes, clock: clock, metrics: metrics, configuration: configuration, address: address)
    var server = HTTPServerBuilder.http1()
    if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
        // HTTP/2 and HTTP/1.1 offered by ALPN, over TLS 1.2 or 1.3 only.
        server = try .http2Upgrade(tlsConfiguration: TLSSetup.serverConfiguration(certificatePath: certificate, keyPath: key))
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
/// authentication and the scope check of ``AccessPolicy``.
func buildRouter<Repository: GenesetRepository, Tokens: TokenStore, Features: FeatureStore, Products: ProductRepository>(
    repository: Repository,
    tokens: TokenService<Tokens>,
    features: Features,
    products: Products,
    analyticsCache: any AnalyticsCache,
    readiness: @escaping @Sendable () async throws -> Void,
    routeCounter: any RouteCounter = InMemoryRouteCounter(),
    probes: [(name: String, check: @Sendable () async throws -> Void)] = [],
    clock: any WallClock,
    metrics: AppMetrics = AppMetrics(),
    configuration: AssayConfiguration,
    address: ServerAddress = ServerAddress()
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let policy = AccessPolicy(apiPublic: configuration.apiPublic)
    router.add(
        middleware: RequestMiddleware(
            maxBodyBytes: configuration.maxBodyBytes, uploadLimits: ["/etl": configuration.etlMaxUploadBytes], metrics: metrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: TokenAuthenticator(tokens: tokens, policy: policy))
    router.add(middleware: ScopeMiddleware(policy: policy))
    router.addRoutes(HealthController(probes: [("store", readiness)] + probes).endpoints)
    router.addRoutes(OpenAPIController(path: configuration.openAPIPath).endpoints)
    router.addRoutes(metrics.endpoints)
    router.addRoutes(GenesetController(catalog: GenesetCatalog(repository: repository, clock: clock)).endpoints)
    router.addRoutes(TokenController(tokens: tokens).endpoints)
    router.addRoutes(FeatureController(etl: FeatureETL(store: features, clock: clock), dataDirectory: configuration.etlDataDirectory, metrics: metrics).endpoints)
    router.addRoutes(
        RouteStatsController(
            statistics: RouteStatistics(counter: MeteredRouteCounter(routeCounter, metrics: metrics), clock: clock),
            selfTest: SelfTest(address: address, certificatePath: configuration.tlsCertificate)
        ).endpoints)
    let analytics = ProductAnalytics(
        repository: products, cache: MeteredAnalyticsCache(analyticsCache, metrics: metrics), clock: clock, ttl: configuration.analyticsCacheSeconds)
    router.addRoutes(ProductController(analytics: analytics).endpoints)
    addMethodNotAllowed(to: router)
    return router
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
