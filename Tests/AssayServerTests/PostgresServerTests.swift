import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import Testing

@testable import AssayServer

/// A database of its own for one test, created on the `make test` server and dropped afterwards.
private func withDatabase(_ body: @Sendable (_ url: String, _ admin: PostgresClient) async throws -> Void) async throws {
    let base = try #require(ProcessInfo.processInfo.environment["ASSAY_TEST_POSTGRES_URL"])
    let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let admin = PostgresClient(configuration: try PostgresSettings(url: base, poolSize: 1).client)
    let logger = Logger(label: "assay-test")
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { await admin.run() }
        defer { group.cancelAll() }
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        let url = base.replacingOccurrences(of: "/postgres", with: "/\(name)")
        var failure: (any Error)?
        do { try await body(url, admin) } catch { failure = error }
        _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
        if let failure { throw failure }
    }
}

private func configuration(_ url: String, migrate: Bool = true) -> AssayConfiguration {
    var configuration = AssayConfiguration()
    configuration.postgresURL = url
    configuration.migrateOnStart = migrate
    configuration.seedsDirectory = nil
    configuration.logLevel = .critical
    configuration.postgresPoolSize = 4
    configuration.adminToken = testAdminSecret
    return configuration
}

@Suite("Server on Postgres", .enabled(if: ProcessInfo.processInfo.environment["ASSAY_TEST_POSTGRES_URL"] != nil))
struct PostgresServerTests {
    @Test func dataSurvivesARestart() async throws {
        try await withDatabase { url, _ in
            let first = try await buildApplication(configuration(url))
            let id = try await first.test(.router) { client in
                try await AuthorizedClient(base: client).createGeneset("Great Genes", ["BRCA1", "TP53"])
            }
            let second = try await buildApplication(configuration(url, migrate: false))
            try await second.test(.router) { client in
                let client = AuthorizedClient(base: client)
                let set = try json(try await client.execute(uri: "/genesets/\(id)", method: .get))
                #expect(set["title"] as? String == "Great Genes")
                let gene = try json(try await client.execute(uri: "/genes/tp53", method: .get))
                #expect((gene["genesets"] as? [[String: Any]])?.first?["id"] as? Int == Int(id))
                let ranked = try json(try await client.execute(uri: "/genes/search/BRAC", method: .get))
                #expect((ranked["items"] as? [[String: Any]])?.first?["name"] as? String == "BRCA1")
                let ready = try await client.execute(uri: "/ready", method: .get)
                #expect(ready.status == .ok)
            }
        }
    }

    @Test func startRefusesAnUnmigratedSchema() async throws {
        try await withDatabase { url, _ in
            let app = try await buildApplication(configuration(url, migrate: false))
            await #expect(throws: SchemaCheck.Outdated.self) {
                try await app.test(.router) { _ in }
            }
        }
    }

    @Test func seedsLoadIntoAnEmptyDatabaseOnce() async throws {
        try await withDatabase { url, _ in
            var config = configuration(url)
            config.seedsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("seeds").path
            let count: @Sendable (any TestClientProtocol) async throws -> Int = { client in
                let client = AuthorizedClient(base: client)
                return (try json(try await client.execute(uri: "/genesets?limit=500", method: .get))["items"] as? [Any])?.count ?? -1
            }
            let first = try await buildApplication(config).test(.router, count)
            let second = try await buildApplication(config).test(.router, count)
            #expect(first >= 5)
            #expect(second == first)
        }
    }

    @Test func unreachableDatabaseIsA503ThenRecovers() async throws {
        try await withDatabase { url, admin in
            let database = String(url.split(separator: "/").last ?? "")
            var settings = try PostgresSettings(url: url, poolSize: 2, operationTimeout: .milliseconds(800))
            settings.client.options.connectionIdleTimeout = .seconds(60)
            let client = PostgresClient(configuration: settings.client)
            let logger = Logger(label: "assay-test")
            let repository = PostgresGenesetRepository(client: client, logger: logger, operationTimeout: settings.operationTimeout)
            let tokens = TokenService(store: InMemoryTokenStore(), hasher: SHA256TokenHasher())
            _ = try await tokens.store(secret: testAdminSecret, name: "test admin", scopes: [.admin])
            var app = try makeApplication(
                repository: repository, tokens: tokens, features: PostgresFeatureStore(client: client, logger: logger), readiness: { try await repository.ping() }, configuration: configuration(url),
                logger: logger)
            app.addServices(client)
            app.beforeServerStarts { try await Migrator(client: client, logger: logger).migrate() }
            try await app.test(.router) { http in
                let http = AuthorizedClient(base: http)
                #expect(try await http.execute(uri: "/genesets", method: .get).status == .ok)

                // Outage: the database refuses new connections and drops the open ones.
                try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) ALLOW_CONNECTIONS false"), logger: logger)
                try await admin.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database)", logger: logger)
                let started = ContinuousClock.now
                let down = try await http.execute(uri: "/genesets", method: .get)
                #expect(ContinuousClock.now - started < .seconds(3))
                let problem = try expectProblem(down, .serviceUnavailable)
                #expect((problem["detail"] as? String)?.contains("postgres") == true)
                try expectProblem(try await http.execute(uri: "/ready", method: .get), .serviceUnavailable)

                // The database returns: requests succeed again without a restart.
                try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) ALLOW_CONNECTIONS true"), logger: logger)
                var recovered = false
                let deadline = ContinuousClock.now + .seconds(30)
                while !recovered, ContinuousClock.now < deadline {
                    recovered = try await http.execute(uri: "/genesets", method: .get).status == .ok
                    if !recovered { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(recovered)
            }
        }
    }
}
