import ArgumentParser
import AssayDomain
import AssayInMemory
import AssayPostgres
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
                With ASSAY_POSTGRES_URL (or --postgres-url) the sets are added to Postgres with COPY, after applying \
                pending migrations. Without it they go to an in-memory store that lives only for this command.
                """
        )

        @Option(help: "Number of gene sets.")
        var sets: Int = 1_000

        @Option(help: "Genes in each set.")
        var genesPerSet: Int = 10

        @Option(help: "Seed of the synthetic data.")
        var seed: UInt64 = 1

        @Option(help: "Sets written per batch.")
        var batchSize: Int = 5_000

        @Option(help: "Postgres URL (ASSAY_POSTGRES_URL); without one the sets go to a throw-away in-memory store.")
        var postgresURL: String?

        func run() async throws {
            let data: SyntheticGenesets
            do {
                data = try SyntheticGenesets(sets: sets, genesPerSet: genesPerSet, seed: seed)
            } catch {
                throw ValidationError(error.errors.map { "--\($0.field) \($0.reason)" }.joined(separator: "; "))
            }
            let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
            let batchSize = self.batchSize
            let (count, seconds, store) = try await {
                if configuration.postgresURL != nil {
                    return try await CommandSupport.withPostgres(configuration) { client, logger in
                        try await Migrator(client: client, logger: logger).migrate()
                        let repository = PostgresGenesetRepository(client: client, logger: logger, operationTimeout: .seconds(300))
                        let seconds = try await Self.fill(repository, with: data, batchSize: batchSize)
                        try await repository.analyze()
                        return (try await repository.genesetCount(), seconds, "postgres")
                    }
                }
                let repository = InMemoryGenesetRepository()
                let seconds = try await Self.fill(repository, with: data, batchSize: batchSize)
                return (await repository.genesetCount(), seconds, "in memory, discarded on exit")
            }()
            print("populated \(data.sets) gene sets of \(genesPerSet) genes (seed \(seed)) in \(String(format: "%.2f", seconds)) s; store now holds \(count) sets (\(store))")
        }

        static func fill(_ repository: some GenesetRepository, with data: SyntheticGenesets, batchSize: Int) async throws -> Double {
            var bar = ProgressBar(total: data.sets, label: "sets")
            try await GenesetCatalog(repository: repository).populate(data, batchSize: batchSize) { bar.update($0) }
            bar.update(data.sets)
            return bar.elapsedSeconds
        }
    }
}
