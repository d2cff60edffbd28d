public import AssayDomain
import AssayInMemory
public import AssayPostgres
import AssayRedis
public import Logging
import PostgresNIO
public import ServiceLifecycle

/// The adapters behind every port, chosen once from configuration: the composition root's one decision.
///
/// `serve`, the command-line tools and the tests all get their stores here. Postgres when a Postgres URL is set,
/// memory otherwise; Redis for route statistics and the analytics cache when a Redis URL is set, memory otherwise.
/// Clients with connections (Postgres, Redis) are ``services``: they run for as long as the server or command does.
public struct Adapters: Sendable {
    /// A named readiness check of one dependency, run by `/ready`.
    public typealias Probe = (name: String, check: @Sendable () async throws -> Void)

    /// Gene sets and genes.
    public var genesets: any GenesetRepository
    /// Collections of gene sets, GMT import and export.
    public var collections: any CollectionRepository
    /// The sets enrichment analyses test, and the catalog version their indexes follow.
    public var enrichment: any EnrichmentSource
    /// Gene references by species: symbols, aliases and previous symbols (gene-name resolution).
    public var geneReference: any GeneReferenceStore
    /// Access tokens.
    public var tokens: any TokenStore
    /// ETL runs and published features.
    public var features: any FeatureStore
    /// Products, views and costs.
    public var products: any ProductRepository
    /// Route hit counts.
    public var routeCounter: any RouteCounter
    /// The analytics cache.
    public var analyticsCache: any AnalyticsCache
    /// The checks `/ready` runs, the store first.
    public var probes: [Probe]
    /// Clients that must run while the adapters are used.
    public var services: [any Service]
    /// The Postgres database the repositories use, or `nil` when they are in memory.
    public var database: PostgresGateway?

    /// Every port in memory: the zero-setup default, and what tests and embedders start from.
    public static func inMemory(clock: any WallClock = SystemClock()) -> Adapters {
        let genesets = InMemoryGenesetRepository()
        return Adapters(
            genesets: genesets, collections: genesets, enrichment: genesets, geneReference: InMemoryGeneReferenceStore(),
            tokens: InMemoryTokenStore(), features: InMemoryFeatureStore(),
            products: InMemoryProductRepository(),
            routeCounter: InMemoryRouteCounter(), analyticsCache: InMemoryAnalyticsCache(clock: clock),
            probes: [("store", { _ = await genesets.genesetCount(visibleTo: .system) })], services: [], database: nil)
    }

    /// The adapters `configuration` asks for. Postgres calls give up after `operationTimeout` (a bulk load sets it
    /// longer); pool gauges go to `metrics`.
    public static func make(
        _ configuration: AssayConfiguration, logger: Logger, metrics: AppMetrics = AppMetrics(), operationTimeout: Duration? = nil
    ) throws -> Adapters {
        var adapters = Adapters.inMemory()
        if let url = configuration.postgresURL {
            var settings = try PostgresSettings(url: url, poolSize: configuration.postgresPoolSize)
            if let operationTimeout { settings.operationTimeout = operationTimeout }
            let database = PostgresGateway(settings: settings, logger: logger)
            let genesets = PostgresGenesetRepository(database: database)
            adapters.genesets = genesets
            adapters.collections = PostgresCollectionRepository(database: database)
            adapters.enrichment = PostgresEnrichmentSource(database: database)
            adapters.geneReference = PostgresGeneReferenceStore(database: database)
            adapters.tokens = PostgresTokenStore(database: database)
            adapters.features = PostgresFeatureStore(database: database)
            adapters.products = PostgresProductRepository(database: database)
            adapters.probes = [("store", { try await genesets.ping() })]
            adapters.services.append(database.clients)
            adapters.database = database
            logger.info("using postgres", metadata: ["url": "\(settings.redactedURL)", "pool": "\(configuration.postgresPoolSize)"])
            metrics.gauge("postgres_pool_size", help: "Most Postgres connections the pool opens") { configuration.postgresPoolSize }
            metrics.gauge("postgres_calls_in_flight", help: "Database calls running or waiting for a pooled connection") {
                database.callsInFlight
            }
        }
        if let url = configuration.redisURL {
            let settings = try RedisSettings(url: url, poolSize: configuration.redisPoolSize)
            let client = RedisClient(settings: settings, logger: logger)
            adapters.routeCounter = RedisRouteCounter(client: client)
            adapters.analyticsCache = RedisAnalyticsCache(client: client)
            adapters.probes.append(("redis", { try await client.ping() }))
            adapters.services.append(client)
            logger.info("using redis for route statistics", metadata: ["url": "\(settings.redactedURL)", "threads": "\(settings.poolSize)"])
            metrics.gauge("redis_pool_threads", help: "Redis client threads, each with at most one connection") { client.usage.threads }
            metrics.gauge("redis_connections", help: "Open Redis connections") { client.usage.connections }
            metrics.gauge("redis_busy_threads", help: "Redis client threads in a round trip") { client.usage.busy }
            metrics.gauge("redis_queued_calls", help: "Redis calls waiting for a thread") { client.usage.queued }
        }
        return adapters
    }

    /// Makes the store ready for use: on Postgres, applies pending migrations when `migrate` is set and otherwise
    /// refuses a schema older than this build; nothing in memory. The ``services`` must be running.
    public func prepare(migrate: Bool) async throws {
        guard let database else { return }
        try await SchemaCheck.prepare(client: database.client, migrate: migrate, logger: database.logger)
    }

    /// Runs `body` while the ``services`` run, then stops them: for commands that use the adapters and exit.
    public func withServices<Result: Sendable>(_ body: @Sendable (Adapters) async throws -> Result) async throws -> Result {
        let services = self.services
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            return try await body(self)
        }
    }
}
