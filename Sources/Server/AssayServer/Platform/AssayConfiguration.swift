public import Logging

/// Server settings. One source of truth: command-line flags, then `ASSAY_*` environment variables, then defaults.
public struct AssayConfiguration: Sendable, Equatable {
    /// Address to bind (`ASSAY_HOST`, default `127.0.0.1`).
    public var host: String = "127.0.0.1"
    /// Port to bind (`ASSAY_PORT`, default 8000; 0 picks a free port).
    public var port: Int = 8000
    /// Largest accepted request body in bytes (`ASSAY_MAX_BODY_BYTES`, default 1 MiB).
    public var maxBodyBytes: Int = 1 << 20
    /// Directory with demo data loaded into an empty store at start (`ASSAY_SEEDS`, default `seeds`; empty disables).
    public var seedsDirectory: String? = "seeds"
    /// Log level (`ASSAY_LOG_LEVEL`, default `info`).
    public var logLevel: Logger.Level = .info
    /// Shape of log lines: logfmt, json or text (`ASSAY_LOG_FORMAT`, default `logfmt`).
    public var logFormat: LogFormat = .logfmt
    /// Postgres URL (`ASSAY_POSTGRES_URL`); when set, Postgres is the store instead of memory.
    public var postgresURL: String?
    /// Most connections in the Postgres pool (`ASSAY_POSTGRES_POOL_SIZE`, default 8).
    public var postgresPoolSize: Int = 8
    /// Apply pending migrations when the server starts (`ASSAY_MIGRATE`, default false: start refuses an old schema).
    public var migrateOnStart: Bool = false
    /// Secret of the admin token created when the token store is empty (`ASSAY_ADMIN_TOKEN`, environment only,
    /// so it never shows in a process list); without it a random one is generated and printed once.
    public var adminToken: String?
    /// Seconds a token found in the store is trusted without asking it again (`ASSAY_TOKEN_CACHE_SECONDS`,
    /// default 10, 0 disables). Revocations through another instance take effect within this time.
    public var tokenCacheSeconds: Double = 10
    /// Redis URL (`ASSAY_REDIS_URL`, `redis://[:password@]host:port[/db]`); when set, route statistics (and later
    /// the analytics cache) live in Redis instead of memory.
    public var redisURL: String?
    /// Threads (each with at most one connection) of the Redis client (`ASSAY_REDIS_POOL_SIZE`, default 4, 1...64).
    public var redisPoolSize: Int = 4
    /// Whether `GET /api/...` needs no token (`ASSAY_API_PUBLIC`, default false: it needs the `read` scope).
    public var apiPublic: Bool = false
    /// PEM certificate chain for HTTPS (`ASSAY_TLS_CERT`); with `tlsKey`, the server speaks TLS 1.2+ and offers HTTP/2.
    public var tlsCertificate: String?
    /// PEM private key for HTTPS (`ASSAY_TLS_KEY`).
    public var tlsKey: String?
    /// Directory with users.csv, user_experiments.csv and compounds.csv that `POST /etl` reads when nothing is
    /// uploaded (`ASSAY_ETL_DATA`, default `seeds/etl`; empty requires an upload).
    public var etlDataDirectory: String? = "seeds/etl"
    /// The OpenAPI document served at `/openapi.yaml` (`ASSAY_OPENAPI`, default `docs/openapi.yaml`).
    public var openAPIPath: String = "docs/openapi.yaml"
    /// Directory with Swagger UI's files that `/docs` serves (`ASSAY_DOCS_ASSETS`, default `.data/swagger-ui`, where
    /// scripts/fetch-docs-assets.sh puts them); without them `/docs` answers a 503 problem naming the script.
    public var docsAssetsDirectory: String = ".data/swagger-ui"
    /// Largest upload to `POST /etl` in bytes (`ASSAY_ETL_MAX_UPLOAD_BYTES`, default 1 GiB); other routes keep `maxBodyBytes`.
    public var etlMaxUploadBytes: Int = 1 << 30
    /// Seconds computed product analytics stay in the cache (`ASSAY_ANALYTICS_CACHE_SECONDS`, environment only,
    /// default 30, 0 disables caching). Writes through the API invalidate a product's entries at once.
    public var analyticsCacheSeconds: Double = 30

    /// Seconds from a request's first byte to its complete head (`ASSAY_HEADER_TIMEOUT_SECONDS`, default 10); slower
    /// clients get a 408 problem and are disconnected.
    public var headerTimeoutSeconds: Double = 10
    /// Seconds a connection may wait for its next request (`ASSAY_IDLE_TIMEOUT_SECONDS`, default 60), new or kept alive.
    public var idleTimeoutSeconds: Double = 60
    /// Open HTTP connections at most (`ASSAY_MAX_CONNECTIONS`, default 1000); one more is answered 503 and closed.
    public var maxConnections: Int = 1_000
    /// Seconds between a shutdown signal and the stop of the server (`ASSAY_DRAIN_SECONDS`, environment only, default 0),
    /// during which `/ready` answers 503 and responses close their connection, so a load balancer sends elsewhere first.
    public var drainSeconds: Double = 0

    /// The defaults.
    public init() {}

    /// Values given as flags; `nil` means "not given".
    public struct Overrides: Sendable {
        /// `--host`.
        public var host: String?
        /// `--port`.
        public var port: Int?
        /// `--max-body-bytes`.
        public var maxBodyBytes: Int?
        /// `--seeds`.
        public var seedsDirectory: String?
        /// `--log-level`.
        public var logLevel: String?
        /// `--log-format`.
        public var logFormat: String?
        /// `--postgres-url`.
        public var postgresURL: String?
        /// `--postgres-pool-size`.
        public var postgresPoolSize: Int?
        /// `--migrate`.
        public var migrateOnStart: Bool?
        /// `--redis-url`.
        public var redisURL: String?
        /// `--redis-pool-size`.
        public var redisPoolSize: Int?
        /// `--api-public`.
        public var apiPublic: Bool?
        /// `--tls-cert`.
        public var tlsCertificate: String?
        /// `--tls-key`.
        public var tlsKey: String?
        /// `--etl-data`.
        public var etlDataDirectory: String?
        /// `--docs-assets`.
        public var docsAssetsDirectory: String?
        /// `--header-timeout`.
        public var headerTimeoutSeconds: Double?
        /// `--idle-timeout`.
        public var idleTimeoutSeconds: Double?
        /// `--max-connections`.
        public var maxConnections: Int?

        /// Creates overrides.
        public init(
            host: String? = nil, port: Int? = nil, maxBodyBytes: Int? = nil, seedsDirectory: String? = nil, logLevel: String? = nil,
            postgresURL: String? = nil, postgresPoolSize: Int? = nil, migrateOnStart: Bool? = nil, tlsCertificate: String? = nil,
            tlsKey: String? = nil, etlDataDirectory: String? = nil, redisURL: String? = nil, apiPublic: Bool? = nil,
            logFormat: String? = nil, redisPoolSize: Int? = nil, headerTimeoutSeconds: Double? = nil, idleTimeoutSeconds: Double? = nil,
            maxConnections: Int? = nil, docsAssetsDirectory: String? = nil
        ) {
            self.docsAssetsDirectory = docsAssetsDirectory
            self.headerTimeoutSeconds = headerTimeoutSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maxConnections = maxConnections
            self.logFormat = logFormat
            self.redisPoolSize = redisPoolSize
            self.etlDataDirectory = etlDataDirectory
            self.redisURL = redisURL
            self.apiPublic = apiPublic
            self.tlsCertificate = tlsCertificate
            self.tlsKey = tlsKey
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.seedsDirectory = seedsDirectory
            self.logLevel = logLevel
            self.postgresURL = postgresURL
            self.postgresPoolSize = postgresPoolSize
            self.migrateOnStart = migrateOnStart
        }
    }

    /// A setting had a value that cannot be used.
    public struct InvalidSetting: Error, CustomStringConvertible, Equatable {
        /// The flag or variable name.
        public var name: String
        /// The offending value.
        public var value: String
        /// What was expected.
        public var expected: String

        public var description: String { "invalid \(name) '\(value)': expected \(expected)" }
    }

    /// Resolves flags over environment over defaults, validating every value.
    public static func resolve(_ flags: Overrides = Overrides(), environment: [String: String]) throws -> AssayConfiguration {
        var config = AssayConfiguration()
        config.host = flags.host ?? environment["ASSAY_HOST"] ?? config.host

        if let port = flags.port {
            config.port = try checkPort(port, name: "--port", raw: String(port))
        } else if let raw = environment["ASSAY_PORT"] {
            config.port = try checkPort(Int(raw), name: "ASSAY_PORT", raw: raw)
        }

        if let bytes = flags.maxBodyBytes {
            config.maxBodyBytes = try checkBodySize(bytes, name: "--max-body-bytes", raw: String(bytes))
        } else if let raw = environment["ASSAY_MAX_BODY_BYTES"] {
            config.maxBodyBytes = try checkBodySize(Int(raw), name: "ASSAY_MAX_BODY_BYTES", raw: raw)
        }

        if let seeds = flags.seedsDirectory ?? environment["ASSAY_SEEDS"] {
            config.seedsDirectory = seeds.isEmpty ? nil : seeds
        }

        if let raw = flags.logFormat ?? environment["ASSAY_LOG_FORMAT"] {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                let name = flags.logFormat != nil ? "--log-format" : "ASSAY_LOG_FORMAT"
                throw InvalidSetting(name: name, value: raw, expected: LogFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            config.logFormat = format
        }
        if let raw = flags.logLevel ?? environment["ASSAY_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                let name = flags.logLevel != nil ? "--log-level" : "ASSAY_LOG_LEVEL"
                throw InvalidSetting(name: name, value: raw, expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            config.logLevel = level
        }

        config.tlsCertificate = flags.tlsCertificate ?? environment["ASSAY_TLS_CERT"].flatMap { $0.isEmpty ? nil : $0 }
        config.tlsKey = flags.tlsKey ?? environment["ASSAY_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if (config.tlsCertificate == nil) != (config.tlsKey == nil) {
            throw InvalidSetting(
                name: "--tls-cert/--tls-key", value: config.tlsCertificate ?? config.tlsKey ?? "", expected: "both a certificate and a key")
        }
        if let raw = environment["ASSAY_TOKEN_CACHE_SECONDS"] {
            guard let seconds = Double(raw), (0...3_600).contains(seconds) else {
                throw InvalidSetting(name: "ASSAY_TOKEN_CACHE_SECONDS", value: raw, expected: "seconds 0...3600")
            }
            config.tokenCacheSeconds = seconds
        }
        if let secret = environment["ASSAY_ADMIN_TOKEN"], !secret.isEmpty {
            guard secret.count >= 32 else {
                throw InvalidSetting(name: "ASSAY_ADMIN_TOKEN", value: "(hidden)", expected: "a secret of at least 32 characters")
            }
            config.adminToken = secret
        }
        if let url = flags.postgresURL ?? environment["ASSAY_POSTGRES_URL"], !url.isEmpty {
            config.postgresURL = url
        }
        config.postgresPoolSize =
            try poolSize(
                flags.postgresPoolSize, flag: "--postgres-pool-size", environment, "ASSAY_POSTGRES_POOL_SIZE", in: 1...1_000
            ) ?? config.postgresPoolSize
        config.migrateOnStart =
            try flags.migrateOnStart ?? environment["ASSAY_MIGRATE"].map { try boolean($0, name: "ASSAY_MIGRATE") } ?? false
        if let url = flags.redisURL ?? environment["ASSAY_REDIS_URL"], !url.isEmpty {
            config.redisURL = url
        }
        config.redisPoolSize =
            try poolSize(
                flags.redisPoolSize, flag: "--redis-pool-size", environment, "ASSAY_REDIS_POOL_SIZE", in: 1...64
            ) ?? config.redisPoolSize
        if let directory = flags.etlDataDirectory ?? environment["ASSAY_ETL_DATA"] {
            config.etlDataDirectory = directory.isEmpty ? nil : directory
        }
        if let path = environment["ASSAY_OPENAPI"], !path.isEmpty {
            config.openAPIPath = path
        }
        if let directory = flags.docsAssetsDirectory ?? environment["ASSAY_DOCS_ASSETS"], !directory.isEmpty {
            config.docsAssetsDirectory = directory
        }
        if let raw = environment["ASSAY_ETL_MAX_UPLOAD_BYTES"] {
            config.etlMaxUploadBytes = try checkBodySize(Int(raw), name: "ASSAY_ETL_MAX_UPLOAD_BYTES", raw: raw)
        }
        config.apiPublic =
            try flags.apiPublic ?? environment["ASSAY_API_PUBLIC"].map { try boolean($0, name: "ASSAY_API_PUBLIC") } ?? false
        if let raw = environment["ASSAY_ANALYTICS_CACHE_SECONDS"] {
            guard let seconds = Double(raw), (0...86_400).contains(seconds) else {
                throw InvalidSetting(name: "ASSAY_ANALYTICS_CACHE_SECONDS", value: raw, expected: "seconds 0...86400")
            }
            config.analyticsCacheSeconds = seconds
        }
        config.headerTimeoutSeconds =
            try seconds(flags.headerTimeoutSeconds, flag: "--header-timeout", environment, "ASSAY_HEADER_TIMEOUT_SECONDS", in: 0.1...3_600)
            ?? config.headerTimeoutSeconds
        config.idleTimeoutSeconds =
            try seconds(flags.idleTimeoutSeconds, flag: "--idle-timeout", environment, "ASSAY_IDLE_TIMEOUT_SECONDS", in: 0.1...86_400)
            ?? config.idleTimeoutSeconds
        config.maxConnections =
            try poolSize(flags.maxConnections, flag: "--max-connections", environment, "ASSAY_MAX_CONNECTIONS", in: 1...1_000_000)
            ?? config.maxConnections
        if let raw = environment["ASSAY_DRAIN_SECONDS"] {
            guard let seconds = Double(raw), (0...300).contains(seconds) else {
                throw InvalidSetting(name: "ASSAY_DRAIN_SECONDS", value: raw, expected: "seconds 0...300")
            }
            config.drainSeconds = seconds
        }
        return config
    }

    /// Seconds from its flag, else its variable, checked against `range`; `nil` when neither is set.
    private static func seconds(
        _ flagged: Double?, flag: String, _ environment: [String: String], _ variable: String, in range: ClosedRange<Double>
    ) throws -> Double? {
        let (name, raw, value): (String, String, Double?)
        if let flagged {
            (name, raw, value) = (flag, String(flagged), flagged)
        } else if let text = environment[variable] {
            (name, raw, value) = (variable, text, Double(text))
        } else {
            return nil
        }
        guard let value, range.contains(value) else {
            throw InvalidSetting(name: name, value: raw, expected: "seconds \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    private static func boolean(_ raw: String, name: String) throws -> Bool {
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw InvalidSetting(name: name, value: raw, expected: "true or false")
        }
    }

    /// A pool size from its flag, else its variable, checked against `range`; `nil` when neither is set.
    private static func poolSize(
        _ flagged: Int?, flag: String, _ environment: [String: String], _ variable: String, in range: ClosedRange<Int>
    ) throws -> Int? {
        let (name, raw, size): (String, String, Int?)
        if let flagged {
            (name, raw, size) = (flag, String(flagged), flagged)
        } else if let text = environment[variable] {
            (name, raw, size) = (variable, text, Int(text))
        } else {
            return nil
        }
        guard let size, range.contains(size) else {
            throw InvalidSetting(name: name, value: raw, expected: "a pool size \(range.lowerBound)...\(range.upperBound)")
        }
        return size
    }

    private static func checkPort(_ port: Int?, name: String, raw: String) throws -> Int {
        guard let port, (0...65_535).contains(port) else { throw InvalidSetting(name: name, value: raw, expected: "a port 0...65535") }
        return port
    }

    private static func checkBodySize(_ bytes: Int?, name: String, raw: String) throws -> Int {
        guard let bytes, bytes >= 1_024 else { throw InvalidSetting(name: name, value: raw, expected: "a byte count of at least 1024") }
        return bytes
    }
}
