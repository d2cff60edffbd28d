import ArgumentParser
import AssayServer
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

/// `assay serve`: runs the HTTP API until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the API (in-memory store with demo data by default).",
        discussion: "Every flag can also be set by its ASSAY_* environment variable; flags win."
    )

    @Option(help: "Address to bind (ASSAY_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind (ASSAY_PORT, default 8000).")
    var port: Int?

    @Option(help: "Largest request body in bytes (ASSAY_MAX_BODY_BYTES, default 1048576).")
    var maxBodyBytes: Int?

    @Option(help: "Directory of demo data loaded into an empty store; empty disables (ASSAY_SEEDS, default seeds).")
    var seeds: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (ASSAY_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(help: "Log lines: logfmt, json or text (ASSAY_LOG_FORMAT, default logfmt).")
    var logFormat: String?

    @Option(help: "Postgres URL postgres://user:password@host:port/db; makes Postgres the store (ASSAY_POSTGRES_URL).")
    var postgresURL: String?

    @Option(help: "Most Postgres connections (ASSAY_POSTGRES_POOL_SIZE, default 8).")
    var postgresPoolSize: Int?

    @Flag(name: .customLong("migrate"), help: "Apply pending database migrations before serving (ASSAY_MIGRATE).")
    var migrate = false

    @Option(help: "Redis URL redis://[:password@]host:port[/db]; keeps route statistics in Redis (ASSAY_REDIS_URL).")
    var redisURL: String?

    @Option(help: "Redis client threads, each with one connection (ASSAY_REDIS_POOL_SIZE, default 4).")
    var redisPoolSize: Int?

    @Flag(name: .customLong("api-public"), help: "Serve GET /api/... without a token (ASSAY_API_PUBLIC).")
    var apiPublic = false

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; with --tls-key serves HTTPS, TLS 1.2+, HTTP/2 (ASSAY_TLS_CERT).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key (ASSAY_TLS_KEY).")
    var tlsKey: String?

    @Option(
        name: .customLong("etl-data"),
        help: "Directory POST /etl reads when nothing is uploaded; empty requires an upload (ASSAY_ETL_DATA, default seeds/etl).")
    var etlData: String?

    @Option(
        name: .customLong("docs-assets"),
        help: "Directory with Swagger UI's files for /docs (ASSAY_DOCS_ASSETS, default .data/swagger-ui; scripts/fetch-docs-assets.sh).")
    var docsAssets: String?

    @Option(help: "Seconds from a request's first byte to its complete head; slower clients get 408 (ASSAY_HEADER_TIMEOUT_SECONDS, default 10).")
    var headerTimeout: Double?

    @Option(help: "Seconds a connection may wait for its next request (ASSAY_IDLE_TIMEOUT_SECONDS, default 60).")
    var idleTimeout: Double?

    @Option(help: "Open connections at most; more are answered 503 and closed (ASSAY_MAX_CONNECTIONS, default 1000).")
    var maxConnections: Int?

    func run() async throws {
        let flags = AssayConfiguration.Overrides(
            host: host, port: port, maxBodyBytes: maxBodyBytes, seedsDirectory: seeds, logLevel: logLevel,
            postgresURL: postgresURL, postgresPoolSize: postgresPoolSize, migrateOnStart: migrate ? true : nil,
            tlsCertificate: tlsCertificate, tlsKey: tlsKey, etlDataDirectory: etlData, redisURL: redisURL,
            apiPublic: apiPublic ? true : nil, logFormat: logFormat, redisPoolSize: redisPoolSize, headerTimeoutSeconds: headerTimeout,
            idleTimeoutSeconds: idleTimeout, maxConnections: maxConnections, docsAssetsDirectory: docsAssets)
        let configuration = try CommandSupport.configuration(flags)
        // Metrics from libraries (swift-metrics) go to the registry `/metrics` shows.
        MetricsSystem.bootstrap(PrometheusMetricsFactory())
        // A graceful shutdown first drains (ASSAY_DRAIN_SECONDS), so a load balancer stops sending before the server stops.
        var logger = Logger(label: "assay")
        logger.logLevel = configuration.logLevel
        let drain = ShutdownDrain(seconds: configuration.drainSeconds, logger: logger)
        let app = try await buildApplication(configuration, drain: drain)
        try await drain.serve(app, logger: logger)
    }
}
