public import AssayDomain
public import Foundation
public import Logging
import NIOCore
public import PostgresNIO

/// ``TokenStore`` on Postgres (table `access_tokens`, migration 2).
public struct PostgresTokenStore: TokenStore {
    let client: PostgresClient
    let logger: Logger
    let timeout: Duration

    /// Creates the store over a running client.
    public init(client: PostgresClient, logger: Logger, operationTimeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.timeout = operationTimeout
    }

    private typealias Row = (Int64, String, [String], String, ByteBuffer, Date, Date?, Date?, Date?)

    public func insert(_ token: NewAccessToken) async throws -> AccessToken {
        let scopes = token.scopes.sorted().map(\.rawValue)
        let hash = ByteBuffer(bytes: token.hash)
        let inserted = try await query(
            """
            INSERT INTO access_tokens (name, scopes, prefix, hash, created_at, expires_at)
            VALUES (\(token.name), \(scopes), \(token.prefix), \(hash), \(token.createdAt), \(token.expiresAt))
            RETURNING id, name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
            """
        )
        guard let token = inserted.first else { throw UnexpectedResult(operation: "insert access token") }
        return token
    }

    public func token(hash: [UInt8]) async throws -> AccessToken? {
        let hash = ByteBuffer(bytes: hash)
        return try await query(
            "SELECT id, name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at FROM access_tokens WHERE hash = \(hash)"
        ).first
    }

    public func all() async throws -> [AccessToken] {
        try await query("SELECT id, name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at FROM access_tokens ORDER BY id")
    }

    public func revoke(id: Int64, at time: Date) async throws -> Bool {
        !(try await query(
            """
            UPDATE access_tokens SET revoked_at = coalesce(revoked_at, \(time)) WHERE id = \(id)
            RETURNING id, name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
            """
        ).isEmpty)
    }

    public func markUsed(id: Int64, at time: Date) async throws {
        _ = try await query(
            """
            UPDATE access_tokens SET last_used_at = \(time) WHERE id = \(id)
            RETURNING id, name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
            """)
    }

    public func count() async throws -> Int {
        let client = self.client
        let logger = self.logger
        return try await withDatabase(timeout: timeout) {
            for try await count in try await client.query("SELECT count(*) FROM access_tokens", logger: logger).decode(Int.self) { return count }
            return 0
        }
    }

    private func query(_ query: PostgresQuery) async throws -> [AccessToken] {
        let client = self.client
        let logger = self.logger
        return try await withDatabase(timeout: timeout) {
            var tokens: [AccessToken] = []
            let rows = try await client.query(query, logger: logger)
            for try await (id, name, scopes, prefix, hash, created, used, expires, revoked) in rows.decode(Row.self) {
                tokens.append(
                    AccessToken(
                        id: id, name: name, scopes: Set(scopes.compactMap(TokenScope.init(rawValue:))), prefix: prefix,
                        hash: Array(buffer: hash), createdAt: created, lastUsedAt: used, expiresAt: expires, revokedAt: revoked))
            }
            return tokens
        }
    }
}
