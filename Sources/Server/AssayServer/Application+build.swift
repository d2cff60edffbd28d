public import AssayDomain
import AssayInMemory
import Foundation
import AssayPostgres
public import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
public import Logging
import PostgresNIO

/// The concrete application type every configuration builds.
public typealias AssayApplication = Application<RouterResponder<AppRequestContext>>

/// Builds the Assay application from configuration. This is the composition root: the one place that
/// chooses adapters — Postgres when `postgresURL` is set, memory otherwise.
public func buildApplication(_ configuration: AssayConfiguration, logger: Logger? = nil) async throws -> AssayApplication {
    var baseLogger = logger ?? Logger(label: "assay")
    baseLogger.logLevel = configuration.logLevel
    let logger = baseLogger

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
            analyticsCache: InMemoryAnalyticsCache(), readiness: { _ = await repository.genesetCount() }, configuration: configuration,
            logger: logger)
    }

    let settings = try PostgresSettings(url: url, poolSize: configuration.postgresPoolSize)
    let client = PostgresClient(configuration: settings.client, backgroundLogger: logger)
    let repository = PostgresGenesetRepository(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    let tokens = TokenService(
        store: PostgresTokenStore(client: client, logger: logger, operationTimeout: settings.operationTimeout), hasher: hasher,
        cacheSeconds: configuration.tokenCacheSeconds)
    let features = PostgresFeatureStore(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    let products = PostgresProductRepository(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    var app = try makeApplication(
        repository: repository, tokens: tokens, features: features, products: products, analyticsCache: InMemoryAnalyticsCache(),
        readiness: { try await repository.ping() }, configuration: configuration, logger: logger)
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

/// Builds the application over the given adapters; tests and embedders use it to inject their own.
public func makeApplication<Repository: GenesetRepository, Tokens: TokenStore, Features: FeatureStore, Products: ProductRepository>(
    repository: Repository,
    tokens: TokenService<Tokens>,
    features: Features,
    products: Products,
    analyticsCache: any AnalyticsCache,
    readiness: @escaping @Sendable () async throws -> Void = {},
    clock: any WallClock = SystemClock(),
    configuration: AssayConfiguration,
    logger: Logger
) throws -> AssayApplication {
    let router = buildRouter(
        repository: repository, tokens: tokens, features: features, products: products, analyticsCache: analyticsCache, readiness: readiness,
        clock: clock, configuration: configuration)
    var server = HTTPServerBuilder.http1()
    if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
        // HTTP/2 and HTTP/1.1 offered by ALPN, over TLS 1.2 or 1.3 only.
        server = try .http2Upgrade(tlsConfiguration: TLSSetup.serverConfiguration(certificatePath: certificate, keyPath: key))
    }
    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "assay"),
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
    clock: any WallClock,
    configuration: AssayConfiguration
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestMiddleware(maxBodyBytes: configuration.maxBodyBytes, uploadLimits: ["/etl": configuration.etlMaxUploadBytes]))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: TokenAuthenticator(tokens: tokens))
    router.add(middleware: ScopeMiddleware())
    router.addRoutes(HealthController(probes: [("store", readiness)]).endpoints)
    router.addRoutes(GenesetController(catalog: GenesetCatalog(repository: repository, clock: clock)).endpoints)
    router.addRoutes(TokenController(tokens: tokens).endpoints)
    router.addRoutes(FeatureController(etl: FeatureETL(store: features, clock: clock), dataDirectory: configuration.etlDataDirectory).endpoints)
    let analytics = ProductAnalytics(repository: products, cache: analyticsCache, clock: clock, ttl: configuration.analyticsCacheSeconds)
    router.addRoutes(ProductController(analytics: analytics).endpoints)
    return router
}
