import ArgumentParser
import AssayDomain
import AssayPostgres
import AssayServer
import Foundation

/// `assay populate`: fills a store with deterministic synthetic data.
struct Populate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill a store with deterministic synthetic data.",
        subcommands: [Genesets.self, Products.self, GMT.self]
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
            let (count, seconds, store) = try await CommandSupport.withAdapters(configuration, operationTimeout: .seconds(300)) { adapters in
                let seconds = try await Self.fill(adapters.genesets, with: data, batchSize: batchSize)
                if let repository = adapters.genesets as? PostgresGenesetRepository { try await repository.analyze() }
                return (
                    try await adapters.genesets.genesetCount(visibleTo: .system), seconds,
                    adapters.database == nil ? "in memory, discarded on exit" : "postgres"
                )
            }
            print(
                "populated \(data.sets) gene sets of \(genesPerSet) genes (seed \(seed)) in \(String(format: "%.2f", seconds)) s; store now holds \(count) sets (\(store))"
            )
        }

        static func fill(_ repository: some GenesetRepository, with data: SyntheticGenesets, batchSize: Int) async throws -> Double {
            var bar = ProgressBar(total: data.sets, label: "sets")
            try await GenesetCatalog(repository: repository).populate(data, batchSize: batchSize) { bar.update($0) }
            bar.update(data.sets)
            return bar.elapsedSeconds
        }
    }

    /// `assay populate products`.
    struct Products: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create synthetic products, views and costs (the same seed gives the same data).",
            discussion: """
                Views and costs spread over the --days days before now, skewed towards the first products. With \
                ASSAY_POSTGRES_URL (or --postgres-url) they are added to Postgres with COPY, after applying pending \
                migrations. Without it they go to an in-memory store that lives only for this command.
                """
        )

        @Option(help: "Number of products.")
        var products: Int = 1_000

        @Option(help: "Number of views.")
        var views: Int = 100_000

        @Option(help: "Number of costs.")
        var costs: Int = 10_000

        @Option(help: "Days back from now that views and costs spread over.")
        var days: Int = 90

        @Option(help: "Seed of the synthetic data.")
        var seed: UInt64 = 1

        @Option(help: "Rows written per batch.")
        var batchSize: Int = 50_000

        @Option(help: "Postgres URL (ASSAY_POSTGRES_URL); without one the data goes to a throw-away in-memory store.")
        var postgresURL: String?

        func run() async throws {
            let data: SyntheticProducts
            do {
                data = try SyntheticProducts(products: products, views: views, costs: costs, days: days, seed: seed)
            } catch {
                throw ValidationError(error.errors.map { "--\($0.field) \($0.reason)" }.joined(separator: "; "))
            }
            let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
            let batchSize = max(self.batchSize, 1)
            let (seconds, store) = try await CommandSupport.withAdapters(configuration, operationTimeout: .seconds(300)) { adapters in
                let seconds = try await Self.fill(adapters.products, with: data, batchSize: batchSize)
                if let repository = adapters.products as? PostgresProductRepository { try await repository.analyze() }
                return (seconds, adapters.database == nil ? "in memory, discarded on exit" : "postgres")
            }
            print(
                "populated \(data.products) products, \(data.views) views, \(data.costs) costs over \(data.days) days (seed \(seed)) "
                    + "in \(String(format: "%.2f", seconds)) s (\(store))")
        }

        /// Products first (their ids are needed), then views and costs, in batches, with one progress bar over every row.
        static func fill(_ repository: some ProductRepository, with data: SyntheticProducts, batchSize: Int) async throws -> Double {
            let now = Date()
            var bar = ProgressBar(total: data.products + data.views + data.costs, label: "rows")
            var done = 0
            func inBatches(of count: Int, _ write: (Range<Int>) async throws -> Void) async throws {
                for start in stride(from: 0, to: count, by: batchSize) {
                    let range = start..<min(start + batchSize, count)
                    try await write(range)
                    done += range.count
                    bar.update(done)
                }
            }
            var ids: [Int64] = []
            ids.reserveCapacity(data.products)
            try await inBatches(of: data.products) { ids += try await repository.createMany(data.drafts($0), at: now) }
            try await inBatches(of: data.views) { try await repository.recordViews(data.views($0, productIDs: ids, now: now)) }
            try await inBatches(of: data.costs) { try await repository.recordCosts(data.costs($0, productIDs: ids, now: now)) }
            bar.update(done)
            return bar.elapsedSeconds
        }
    }

    /// `assay populate gmt`: an MSigDB-sized synthetic collection written as a GMT file, for benchmarks.
    struct GMT: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gmt",
            abstract: "Write a deterministic MSigDB-shaped GMT file (set sizes 5 to 520, log-uniform; a popularity skew over genes).",
            discussion: "35,000 sets over 40,000 genes give about 3.9 million memberships, the size of MSigDB's largest collections."
        )

        @Option(help: "Number of sets.")
        var sets: Int = 35_000

        @Option(help: "Distinct gene names the sets draw from.")
        var genes: Int = 40_000

        @Option(help: "Seed of the synthetic data.")
        var seed: UInt64 = 1

        @Option(help: "The file to write.")
        var out: String

        func run() async throws {
            let collection: SyntheticCollection
            do {
                collection = try SyntheticCollection(sets: sets, genes: genes, seed: seed)
            } catch {
                throw ValidationError(error.errors.map { "--\($0.field) \($0.reason)" }.joined(separator: "; "))
            }
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw ValidationError("cannot write \(out)")
            }
            defer { try? handle.close() }
            var buffer: [UInt8] = []
            var memberships = 0
            for index in 0..<collection.sets {
                let record = collection.record(index)
                memberships += record.genes.count
                buffer += GMTWriter.line(for: record)
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: buffer)
            print("wrote \(collection.sets) sets, \(memberships) memberships over \(collection.genes) genes (seed \(seed)) to \(out)")
        }
    }
}
