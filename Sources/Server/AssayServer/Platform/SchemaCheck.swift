import AssayPostgres
import Logging
import PostgresNIO

/// Makes sure the database schema matches this build before the server takes requests.
enum SchemaCheck {
    /// The schema is older than this build and migrations were not requested.
    struct Outdated: Error, CustomStringConvertible {
        let current: Int
        let required: Int
        var description: String {
            "the database schema is at version \(current), this build needs \(required): run `assay migrate` or start with --migrate"
        }
    }

    static func prepare(client: PostgresClient, migrate: Bool, logger: Logger) async throws {
        let migrator = Migrator(client: client, logger: logger)
        if migrate {
            try await migrator.migrate()
            return
        }
        let required = Migrations.all.map(\.version).max() ?? 0
        let current = try await migrator.currentVersion()
        guard current >= required else { throw Outdated(current: current, required: required) }
    }
}
