import ArgumentParser
import AssayPostgres
import AssayServer
import Logging

/// `assay migrate`: brings the database schema up to this build's version.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (needs ASSAY_POSTGRES_URL).")

    @Option(help: "Postgres URL (ASSAY_POSTGRES_URL).")
    var postgresURL: String?

    func run() async throws {
        let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
        guard configuration.postgresURL != nil else {
            throw ValidationError("no database configured: set ASSAY_POSTGRES_URL or pass --postgres-url")
        }
        // Not `withAdapters`: that would apply the migrations before this command could report them.
        var logger = Logger(label: "assay")
        logger.logLevel = configuration.logLevel
        let adapters = try Adapters.make(configuration, logger: logger)
        let applied = try await adapters.withServices { adapters in
            guard let database = adapters.database else { throw ValidationError("no database configured") }
            let migrator = Migrator(client: database.client, logger: database.logger)
            let applied = try await migrator.migrate()
            return (applied, try await migrator.currentVersion())
        }
        print(
            applied.0.isEmpty
                ? "schema already at version \(applied.1)"
                : "applied \(applied.0.map(String.init).joined(separator: ", ")); schema at version \(applied.1)")
    }
}
