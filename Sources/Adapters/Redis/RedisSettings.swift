import Foundation

/// Where and how to reach Redis, from a `redis://[[user]:password@]host[:port][/db]` URL.
public struct RedisSettings: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// TCP port (default 6379).
    public var port: Int
    /// ACL user for `AUTH user password`; `nil` sends `AUTH password`.
    public var username: String?
    /// Password sent with `AUTH` on every new connection; `nil` sends none.
    public var password: String?
    /// Database selected with `SELECT` on every new connection (default 0).
    public var database: Int
    /// Blocking threads, each with at most one connection (default 4).
    public var poolSize: Int
    /// Longest wait for a TCP connection (default 500 ms).
    public var connectTimeout: Duration = .milliseconds(500)
    /// Longest wait for a reply on an open connection (default 500 ms).
    public var commandTimeout: Duration = .milliseconds(500)
    /// Longest time a call waits in all, queueing included; later it fails as unavailable (default 1 s).
    public var operationTimeout: Duration = .seconds(1)
    /// After a connection failure, calls fail at once for this long instead of each trying to connect (default 200 ms).
    public var retryInterval: Duration = .milliseconds(200)

    /// A URL that cannot be used.
    public struct InvalidURL: Error, CustomStringConvertible, Equatable {
        /// Why.
        public var reason: String
        public var description: String { "invalid Redis URL: \(reason)" }
    }

    /// Parses a `redis://` URL.
    public init(url: String, poolSize: Int = 4) throws {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "redis" else {
            throw InvalidURL(reason: "expected redis://[:password@]host:port[/db]")
        }
        guard let host = components.host, !host.isEmpty else { throw InvalidURL(reason: "the host is missing") }
        self.host = host
        self.port = components.port ?? 6379
        guard (1...65_535).contains(port) else { throw InvalidURL(reason: "port \(port) is out of range") }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        self.username = password == nil ? nil : user
        let path = components.path.drop { $0 == "/" }
        if path.isEmpty {
            self.database = 0
        } else {
            guard let database = Int(path), database >= 0 else { throw InvalidURL(reason: "the database must be a number, got '\(path)'") }
            self.database = database
        }
        guard (1...64).contains(poolSize) else { throw InvalidURL(reason: "pool size \(poolSize) is out of range 1...64") }
        self.poolSize = poolSize
    }

    /// The URL without its password, for logs.
    public var redactedURL: String {
        let credentials = password == nil ? "" : "\(username ?? ""):***@"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "redis://\(credentials)\(shownHost):\(port)/\(database)"
    }
}
