import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// Lends a fresh, empty repository of one adapter to a test. Every adapter of `GenesetRepository` is listed
/// in ``all``, and every contract test runs against each of them: a difference between adapters is a bug.
struct RepositoryFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (any GenesetRepository) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static let inMemory = RepositoryFactory(name: "in-memory") { body in try await body(InMemoryGenesetRepository()) }

    static let postgres = RepositoryFactory(name: "postgres") { body in
        try await TestDatabase.withFreshSchema { client, logger in
            try await body(PostgresGenesetRepository(database: PostgresGateway(client: client, logger: logger)))
        }
    }

    /// In-memory always; Postgres whenever `make test` (or the developer) provides a server.
    static var all: [RepositoryFactory] {
        TestDatabase.url == nil ? [inMemory] : [inMemory, postgres]
    }
}

/// The throw-away Postgres that `make test` starts (`ASSAY_TEST_POSTGRES_URL`). Each test gets its own schema,
/// migrated from scratch, and the schema is dropped afterwards.
enum TestDatabase {
    static var url: String? { ProcessInfo.processInfo.environment["ASSAY_TEST_POSTGRES_URL"] }

    /// `migrations`: the schema history to apply first (all of it unless a test wants an older schema).
    static func withFreshSchema(
        migrations: [Migration] = Migrations.all, _ body: @Sendable (PostgresClient, Logger) async throws -> Void
    ) async throws {
        let url = try #require(url, "ASSAY_TEST_POSTGRES_URL is not set")
        let logger = Logger(label: "assay-test-postgres")
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

        let admin = PostgresClient(configuration: try PostgresSettings(url: url, poolSize: 1).client)
        var settings = try PostgresSettings(url: url, poolSize: 4)
        settings.client.options.additionalStartupParameters.append(("search_path", "\(schema),public"))
        let client = PostgresClient(configuration: settings.client)

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await admin.run() }
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
            do {
                try await Migrator(client: client, logger: logger, migrations: migrations).migrate()
                try await body(client, logger)
            } catch {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
                throw error
            }
            try await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
        }
    }
}

@Suite("Test services")
struct TestServices {
    /// CI must run the contract suites on Postgres: a missing server is a failure there, never a silent skip.
    @Test func postgresIsAvailableInCI() {
        let inCI = ProcessInfo.processInfo.environment["CI"] != nil
        if inCI { #expect(TestDatabase.url != nil, "CI runs without ASSAY_TEST_POSTGRES_URL: make test must start Postgres") }
    }
}
