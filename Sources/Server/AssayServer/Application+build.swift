public import AssayDomain
import AssayInMemory
public import Hummingbird
public import Logging

/// Builds the Assay application from configuration. This is the composition root: the one place that
/// chooses adapters (today the in-memory store; Postgres and Redis join here in their own issues).
public func buildApplication(_ configuration: AssayConfiguration, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "assay")
    logger.logLevel = configuration.logLevel
    let repository = InMemoryGenesetRepository()
    if let directory = configuration.seedsDirectory {
        try await SeedLoader.load(directory: directory, into: repository, logger: logger)
    }
    return makeApplication(repository: repository, configuration: configuration, logger: logger)
}

/// Builds the application over the given adapters; tests and embedders use it to inject their own.
public func makeApplication<Repository: GenesetRepository>(
    repository: Repository,
    clock: any WallClock = SystemClock(),
    configuration: AssayConfiguration,
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(repository: repository, clock: clock, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "assay"),
        logger: logger
    )
}

/// The router with every route and the middleware chain: body limit, request ids and logs, then problems.
func buildRouter<Repository: GenesetRepository>(
    repository: Repository,
    clock: any WallClock,
    configuration: AssayConfiguration
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    router.add(middleware: ProblemMiddleware())
    router.addRoutes(HealthController(probes: [("store", { _ = try await repository.genesetCount() })]).endpoints)
    router.addRoutes(GenesetController(catalog: GenesetCatalog(repository: repository, clock: clock)).endpoints)
    return router
}
