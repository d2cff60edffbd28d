public import AssayDomain
public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// ``TokenStore`` on Postgres (table `access_tokens`, migration 2).
public struct PostgresTokenStore: TokenStore {
    let database: PostgresGateway

    /// Creates the store over a database; calls it cannot answer within its operation timeout fail with
    /// ``UnavailableError``.
    public init(database: PostgresGateway) {
        self.database = database
    }

    private typealias Row = (Int64, String, String, [String], String, ByteBuffer, Date, Date?, Date?, Date?)

    public func insert(_ token: NewAccessToken) async throws -> AccessToken {
        let scopes = token.scopes.sorted().map(\.rawValue)
        let hash = ByteBuffer(bytes: token.hash)
        let inserted = try await query(
            """
            INSERT INTO access_tokens (name, user_name, scopes, prefix, hash, created_at, expires_at)
            VALUES (\(token.name), \(token.user), \(scopes), \(token.prefix), \(hash), \(token.createdAt), \(token.expiresAt))
            RETURNING id, name, user_name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
            """
        )
        guard let token = inserted.first else { throw UnexpectedResult(operation: "insert access token") }
        return token
    }

    public func token(hash: [UInt8]) async throws -> AccessToken? {
        let hash = ByteBuffer(bytes: hash)
        return try await query(
            "SELECT id, name, user_name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at FROM access_tokens WHERE hash = \(hash)"
        ).first
    }

    public func all() async throws -> [AccessToken] {
        try await query(
            "SELECT id, name, user_name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at FROM access_tokens ORDER BY id")
    }

    public func revoke(id: Int64, at time: Date) async throws -> Bool {
        !(try await query(
            """
            UPDATE access_tokens SET revoked_at = coalesce(revoked_at, \(time)) WHERE id = \(id)
            RETURNING id, name, user_name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
            """
        ).isEmpty)
    }

    /// Locks the active admin rows first (`FOR UPDATE`): a racing revocation waits, then sees this one's result.
    public func revokeUnlessLastAdmin(id: Int64, at time: Date) async throws -> TokenRevocation {
        try await database.transaction { connection, logger in
            let admins = try await connection.query(
                """
                SELECT id FROM access_tokens
                WHERE 'admin' = ANY(scopes) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(time))
                ORDER BY id FOR UPDATE
                """, logger: logger)
            var activeAdmins: [Int64] = []
            for try await adminID in admins.decode(Int64.self) { activeAdmins.append(adminID) }
            if activeAdmins == [id] { return .lastAdmin }
            let rows = try await connection.query(
                "UPDATE access_tokens SET revoked_at = coalesce(revoked_at, \(time)) WHERE id = \(id) RETURNING id", logger: logger)
            for try await _ in rows.decode(Int64.self) { return .revoked }
            return .notFound
        }
    }

    public func markUsed(id: Int64, at time: Date) async throws {
        _ = try await query(
            """
            UPDATE access_tokens SET last_used_at = \(time) WHERE id = \(id)
            RETURNING id, name, user_name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
            """)
    }

    public func count() async throws -> Int {
        return try await database.run { client, logger in
            for try await count in try await client.query("SELECT count(*) FROM access_tokens", logger: logger).decode(Int.self) { return count }
            return 0
        }
    }

    /// The table lock makes a racing caller wait until the first one commits; its `NOT EXISTS` then sees the row.
    public func insertIfEmpty(_ token: NewAccessToken) async throws -> AccessToken? {
        let scopes = token.scopes.sorted().map(\.rawValue)
        let hash = ByteBuffer(bytes: token.hash)
        return try await database.transaction { connection, logger in
            _ = try await connection.query("LOCK TABLE access_tokens IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO access_tokens (name, user_name, scopes, prefix, hash, created_at, expires_at)
                SELECT \(token.name), \(token.user), \(scopes), \(token.prefix), \(hash), \(token.createdAt), \(token.expiresAt)
                WHERE NOT EXISTS (SELECT 1 FROM access_tokens)
                RETURNING id, name, user_name, scopes, prefix, hash, created_at, last_used_at, expires_at, revoked_at
                """, logger: logger)
            return try await Self.tokens(rows).first
        }
    }

    private func query(_ query: PostgresQuery) async throws -> [AccessToken] {
        try await database.run { client, logger in try await Self.tokens(try await client.query(query, logger: logger)) }
    }

    private static func tokens(_ rows: PostgresRowSequence) async throws -> [AccessToken] {
        var tokens: [AccessToken] = []
        for try await (id, name, user, scopes, prefix, hash, created, used, expires, revoked) in rows.decode(Row.self) {
            tokens.append(
                AccessToken(
                    id: id, name: name, user: user, scopes: Set(scopes.compactMap(TokenScope.init(rawValue:))), prefix: prefix,
                    hash: Array(buffer: hash), createdAt: created, lastUsedAt: used, expiresAt: expires, revokedAt: revoked))
        }
        return tokens
    }
}
