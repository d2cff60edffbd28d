public import AssayDomain
import AssayInMemory
import AssayPostgres
public import Hummingbird
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

    guard let url = configuration.postgresURL else {
        let repository = InMemoryGenesetRepository()
        if let directory = configuration.seedsDirectory {
            try await SeedLoader.load(directory: directory, into: repository, logger: logger)
        }
        return makeApplication(repository: repository, readiness: { _ = await repository.genesetCount() }, configuration: configuration, logger: logger)
    }

    let settings = try PostgresSettings(url: url, poolSize: configuration.postgresPoolSize)
    let client = PostgresClient(configuration: settings.client, backgroundLogger: logger)
    let repository = PostgresGenesetRepository(client: client, logger: logger, operationTimeout: settings.operationTimeout)
    var app = makeApplication(repository: repository, readiness: { try await repository.ping() }, configuration: configuration, logger: logger)
    app.addServices(client)
    app.beforeServerStarts {
        logger.info("using postgres", metadata: ["url": "\(settings.redactedURL)", "pool": "\(configuration.postgresPoolSize)"])
        try await SchemaCheck.prepare(client: client, migrate: configuration.migrateOnStart, logger: logger)
        if let directory = configuration.seedsDirectory {
            try await SeedLoader.load(directory: directory, into: repository, logger: logger)
        }
    }
    return app
}

/// Builds the application over the given adapters; tests and embedders use it to inject their own.
public func makeApplication<Repository: GenesetRepository>(
    repository: Repository,
    readiness: @escaping @Sendable () async throws -> Void = {},
    clock: any WallClock = SystemClock(),
    configuration: AssayConfiguration,
    logger: Logger
) -> AssayApplication {
    let router = buildRouter(repository: repository, readiness: readiness, clock: clock, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "assay"),
        logger: logger
    )
}

/// The router with every route and the middleware chain: body limit, request ids and logs, then problems.
func buildRouter<Repository: GenesetRepository>(
    repository: Repository,
    readiness: @escaping @Sendable () async throws -> Void,
    clock: any WallClock,
    configuration: AssayConfiguration
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    router.add(middleware: ProblemMiddleware())
    router.addRoutes(HealthController(probes: [("store", readiness)]).endpoints)
    router.addRoutes(GenesetController(catalog: GenesetCatalog(repository: repository, clock: clock)).endpoints)
    return router
}
