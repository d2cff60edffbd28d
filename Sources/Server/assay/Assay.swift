import ArgumentParser
import AssayServer

/// The `assay` command: serve the API or run maintenance tasks.
@main
struct Assay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assay",
        abstract: "Assay: gene sets, user features, product analytics and route statistics behind one API.",
        subcommands: [Serve.self, Migrate.self, Populate.self, Import.self, Export.self, Enrich.self, ETL.self, Token.self, Cert.self, Load.self],
        defaultSubcommand: Serve.self
    )
}
