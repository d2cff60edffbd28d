import ArgumentParser
import AssayDomain
import AssayInMemory
import AssayServer
import Foundation

/// `assay populate`: fills a store with deterministic synthetic data.
struct Populate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill a store with deterministic synthetic data.",
        subcommands: [Genesets.self]
    )

    /// `assay populate genesets`.
    struct Genesets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create synthetic gene sets (the same seed gives the same sets).",
            discussion: """
                Without ASSAY_POSTGRES_URL the target is an in-memory store that lives only for this command: \
                useful to time the adapter; the Postgres adapter makes the data durable.
                """
        )

        @Option(help: "Number of gene sets.")
        var sets: Int = 1_000

        @Option(help: "Genes in each set.")
        var genesPerSet: Int = 10

        @Option(help: "Seed of the synthetic data.")
        var seed: UInt64 = 1

        @Option(help: "Sets written per batch.")
        var batchSize: Int = 1_000

        func run() async throws {
            let data: SyntheticGenesets
            do {
                data = try SyntheticGenesets(sets: sets, genesPerSet: genesPerSet, seed: seed)
            } catch {
                throw ValidationError(error.errors.map { "--\($0.field) \($0.reason)" }.joined(separator: "; "))
            }
            let repository = InMemoryGenesetRepository()
            let catalog = GenesetCatalog(repository: repository)
            var bar = ProgressBar(total: data.sets, label: "sets")
            try await catalog.populate(data, batchSize: batchSize) { bar.update($0) }
            bar.update(data.sets)
            let count = await repository.genesetCount()
            let seconds = String(format: "%.2f", bar.elapsedSeconds)
            print("populated \(count) gene sets of \(genesPerSet) genes (in memory, seed \(seed)) in \(seconds) s")
        }
    }
}
