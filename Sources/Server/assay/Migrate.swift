import ArgumentParser
import AssayPostgres
import AssayServer

/// `assay migrate`: brings the database schema up to this build's version.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (needs ASSAY_POSTGRES_URL).")

    @Option(help: "Postgres URL (ASSAY_POSTGRES_URL).")
    var postgresURL: String?

    func run() async throws {
        let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
        let applied = try await CommandSupport.withPostgres(configuration) { client, logger in
            let migrator = Migrator(client: client, logger: logger)
            let applied = try await migrator.migrate()
            return (applied, try await migrator.currentVersion())
        }
        print(applied.0.isEmpty ? "schema already at version \(applied.1)" : "applied \(applied.0.map(String.init).joined(separator: ", ")); schema at version \(applied.1)")
    }
}
