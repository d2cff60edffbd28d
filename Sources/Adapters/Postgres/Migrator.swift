public import Logging
public import PostgresNIO

/// Applies pending ``Migrations`` and records each in `schema_migrations`.
///
/// Safe to run from several processes at once: an advisory lock serialises them, and each migration runs
/// in its own transaction, so a failure leaves the schema at the last complete version.
public struct Migrator: Sendable {
    /// Key of the advisory lock held while migrating.
    static let lockKey: Int64 = 0x4153_5341_5900_0001

    let client: PostgresClient
    let logger: Logger
    let migrations: [Migration]

    /// Creates a migrator for `client` (which must be running).
    public init(client: PostgresClient, logger: Logger, migrations: [Migration] = Migrations.all) {
        self.client = client
        self.logger = logger
        self.migrations = migrations
    }

    /// Applies every migration not yet recorded; returns the versions applied now.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await migrate(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The highest applied version, or 0 on an empty database.
    public func currentVersion() async throws -> Int {
        try await client.withConnection { connection in
            try await ensureHistoryTable(on: connection)
            let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
            for try await version in rows.decode(Int.self) { return version }
            return 0
        }
    }

    private func migrate(on connection: PostgresConnection) async throws -> [Int] {
        try await ensureHistoryTable(on: connection)
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            done.insert(version)
        }
        var appliedNow: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    private func ensureHistoryTable(on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
    }
}
