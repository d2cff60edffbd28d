import AssayDomain
import Foundation
import NIOSSL
public import PostgresNIO

/// How to reach Postgres: parsed from a `postgres://user:password@host:port/database?sslmode=...` URL.
public struct PostgresSettings: Sendable {
    /// The client configuration (pool size, TLS, timeouts applied).
    public var client: PostgresClient.Configuration
    /// The same server as one connection of its own, outside the pool: the breaker's reachability check
    /// (``PostgresGateway``), with a short connect timeout.
    public var connection: PostgresConnection.Configuration
    /// Longest a single repository call may wait for the database before it reports it unavailable.
    public var operationTimeout: Duration
    /// The URL with the password removed, for logs.
    public let redactedURL: String

    /// A URL or setting could not be used.
    public struct Invalid: Error, CustomStringConvertible {
        /// Why.
        public let reason: String
        public var description: String { "invalid Postgres settings: \(reason)" }
    }

    /// Parses a URL. `sslmode` may be `disable` (default on loopback), `prefer` or `require`.
    public init(url: String, poolSize: Int = 8, operationTimeout: Duration = .seconds(5)) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw Invalid(reason: "expected postgres://user[:password]@host[:port]/database, got '\(Self.redact(url))'")
        }
        guard (1...1_000).contains(poolSize) else { throw Invalid(reason: "pool size \(poolSize) is outside 1...1000") }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw Invalid(reason: "sslmode '\(mode)' is not one of disable, prefer, require")
        }
        var client = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: tls)
        client.options.maximumConnections = poolSize
        client.options.minimumConnections = 0
        client.options.connectTimeout = .seconds(3)
        client.options.additionalStartupParameters = [
            ("application_name", "assay"),
            // The `%` operator's threshold must equal the domain's fuzzy threshold (pg_trgm's default is 0.3).
            ("pg_trgm.similarity_threshold", String(GeneSearch.fuzzyThreshold)),
        ]
        let connectionTLS: PostgresConnection.Configuration.TLS
        switch mode {
        case "disable": connectionTLS = .disable
        case "prefer": connectionTLS = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: connectionTLS = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var connection = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: connectionTLS)
        connection.options.connectTimeout = .milliseconds(500)
        self.connection = connection
        self.client = client
        self.operationTimeout = operationTimeout
        self.redactedURL = Self.redact(url)
    }

    /// The URL without its password.
    static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}
