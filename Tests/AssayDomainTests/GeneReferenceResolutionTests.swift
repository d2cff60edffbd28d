import AssayDomain
import AssayInMemory
import Testing

/// A human reference shaped like the real one: renamed genes, a shared alias, an alias that is another gene's
/// approved symbol, one symbol on two Ensembl ids, a gene without a self row.
private let records: [GeneReferenceRecord] = [
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "VIRMA", alias: "KIAA1429"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "VIRMA", alias: "VIRMA"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000107815", symbol: "TWNK", alias: "C10ORF2"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000107815", symbol: "TWNK", alias: "PEO1"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000172053", symbol: "QARS1", alias: "QARS"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000136628", symbol: "EPRS1", alias: "QARS"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000136628", symbol: "EPRS1", alias: "EPRS"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000138823", symbol: "MTTP", alias: "MTTP"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000210196", symbol: "MT-TP", alias: "MTTP"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000281766", symbol: "RYBP", alias: "DEDAF"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000163602", symbol: "RYBP", alias: "DEDAF"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000147443", symbol: "DOK2", alias: "P56DOK"),
    GeneReferenceRecord(species: .human, ensemblID: "ENSG00000285435", symbol: "H3-4", alias: "H3/G"),
]

private func index() throws -> GeneReferenceIndex {
    try GeneReferenceIndex(species: .human, records: records)
}

private func gene(_ symbol: String, _ ids: String...) -> ResolvedGene {
    ResolvedGene(symbol: symbol, ensemblIDs: ids)
}

@Suite("Gene reference resolution")
struct GeneReferenceResolutionTests {
    @Test func approvedSymbolsResolveToThemselvesIgnoringCase() throws {
        let report = try index().resolve(["VIRMA", "twnk", "Dok2"])
        #expect(
            report.results == [
                GeneResolution(input: "VIRMA", status: .approved, gene: gene("VIRMA", "ENSG00000164944")),
                GeneResolution(input: "twnk", status: .approved, gene: gene("TWNK", "ENSG00000107815")),
                GeneResolution(input: "Dok2", status: .approved, gene: gene("DOK2", "ENSG00000147443")),
            ])
    }

    @Test func aliasesAndPreviousSymbolsResolveToTheApprovedSymbol() throws {
        let report = try index().resolve(["KIAA1429", "C10orf2", "peo1", "p56dok"])
        #expect(report.results.map(\.status) == [.alias, .alias, .alias, .alias])
        #expect(report.results.map(\.gene?.symbol) == ["VIRMA", "TWNK", "TWNK", "DOK2"])
        #expect(report.results.map(\.input) == ["KIAA1429", "C10orf2", "peo1", "p56dok"])
        #expect(report.results.allSatisfy { $0.candidates.isEmpty })
    }

    @Test func anAliasOfSeveralGenesIsAmbiguousWithEveryCandidateInOrder() throws {
        let report = try index().resolve(["qars"])
        #expect(
            report.results == [
                GeneResolution(
                    input: "qars", status: .ambiguous,
                    candidates: [gene("EPRS1", "ENSG00000136628"), gene("QARS1", "ENSG00000172053")])
            ])
        // The same answer whatever order the store returns its rows in.
        let matches = try index().matches(forKeys: ["qars"])
        #expect(GeneResolutionReport(species: .human, names: ["qars"], matches: matches.reversed()) == report)
    }

    @Test func anApprovedSymbolWinsOverTheSameNameAsAnAlias() throws {
        let report = try index().resolve(["MTTP"])
        #expect(report.results == [GeneResolution(input: "MTTP", status: .approved, gene: gene("MTTP", "ENSG00000138823"))])
        // The store does return the alias match; the rule, not the adapter, drops it.
        #expect(try index().matches(forKeys: ["mttp"]).map(\.kind) == [.approved, .alias])
    }

    @Test func aSymbolOnSeveralEnsemblIDsIsOneGene() throws {
        let report = try index().resolve(["RYBP", "DEDAF"])
        #expect(report.results.map(\.status) == [.approved, .alias])
        let rybp = gene("RYBP", "ENSG00000163602", "ENSG00000281766")
        #expect(report.results.map(\.gene) == [rybp, rybp])
    }

    @Test func unknownNamesAreNotFound() throws {
        let report = try index().resolve(["NOPE1", "KIAA14290"])
        #expect(report.results.map(\.status) == [.notFound, .notFound])
        #expect(report.results.allSatisfy { $0.gene == nil && $0.candidates.isEmpty })
        #expect(report.inputs(withStatus: .notFound) == ["NOPE1", "KIAA14290"])
    }

    @Test func namesNoRequestCouldHoldAreNotIndexed() throws {
        let index = try index()
        #expect(index.matches(forKeys: ["h3/g"]).isEmpty)
        #expect(
            index.summary(source: "test")
                == GeneReferenceSummary(
                    species: .human, source: "test", records: 13, genes: 10, symbols: 9, names: 16))
    }

    @Test func repeatedNamesAreReportedAndEachResolved() throws {
        let report = try index().resolve(["VIRMA", "TWNK", "virma", "x1", "X1", "Virma"])
        #expect(report.results.count == 6)
        #expect(report.results.map(\.input) == ["VIRMA", "TWNK", "virma", "x1", "X1", "Virma"])
        #expect(report.results[5].gene == gene("VIRMA", "ENSG00000164944"))
        #expect(report.duplicates == [GeneDuplicate(name: "VIRMA", positions: [0, 2, 5]), GeneDuplicate(name: "x1", positions: [3, 4])])
        #expect(report.counts == [.approved: 4, .notFound: 2])
    }

    @Test func differentNamesOfOneGeneAreReported() throws {
        let report = try index().resolve(["KIAA1429", "TWNK", "VIRMA", "C10orf2", "virma", "QARS", "EPRS1"])
        #expect(
            report.collisions == [
                GeneCollision(symbol: "VIRMA", positions: [0, 2, 4]), GeneCollision(symbol: "TWNK", positions: [1, 3]),
            ])
    }

    @Test func requestsAreValidatedFieldByField() {
        #expect(throws: ValidationError([FieldError(field: "genes", reason: "must contain at least one gene")])) {
            try GeneResolutionRequest(genes: [], species: "human")
        }
        #expect(
            throws: ValidationError([
                FieldError(field: "species", reason: "must be one of human (9606), mouse (10090)"),
                FieldError(field: "genes[1]", reason: "must not be empty"),
                FieldError(field: "genes[3]", reason: "must be printable ASCII without spaces or '/'"),
            ])
        ) {
            try GeneResolutionRequest(genes: ["TP53", "  ", "KIAA1429", "H3/G"], species: "rat")
        }
        let tooMany = Array(repeating: "TP53", count: GeneReferenceRules.maximumGenesPerRequest + 1)
        #expect(throws: ValidationError([FieldError(field: "genes", reason: "must contain at most 20000 genes")])) {
            try GeneResolutionRequest(genes: tooMany, species: .human)
        }
        let request = try? GeneResolutionRequest(genes: [" KIAA1429\t", "tp53"], species: "10090")
        #expect(request?.names == ["KIAA1429", "tp53"])
        #expect(request?.species == .mouse)
    }

    @Test func speciesParseFromNamesAndTaxids() {
        #expect(Species(parsing: "human") == .human)
        #expect(Species(parsing: " Mouse ") == .mouse)
        #expect(Species(parsing: "9606") == .human)
        #expect(Species(parsing: "10090") == .mouse)
        #expect(Species(parsing: "rat") == nil)
        #expect(Species(parsing: "") == nil)
        #expect(Species.human.taxid == 9606 && Species.mouse.taxid == 10090)
    }

    @Test func theIndexRefusesRecordsThatContradictIt() throws {
        var index = GeneReferenceIndex(species: .human)
        #expect(throws: GeneReferenceError.speciesMismatch(expected: .human, found: .mouse, ensemblID: "ENSMUSG00000040720")) {
            try index.insert(GeneReferenceRecord(species: .mouse, ensemblID: "ENSMUSG00000040720", symbol: "VIRMA"))
        }
        try index.insert(GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "VIRMA"))
        #expect(throws: GeneReferenceError.conflictingSymbols(ensemblID: "ENSG00000164944", first: "VIRMA", second: "KIAA1429")) {
            try index.insert(GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "KIAA1429"))
        }
    }
}

@Suite("Gene resolver over the in-memory store")
struct GeneReferenceResolverTests {
    private func batches(_ records: [GeneReferenceRecord], failing: Bool = false) -> AsyncThrowingStream<[GeneReferenceRecord], any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(records)
            continuation.finish(throwing: failing ? GeneReferenceFormatError(line: 9, reason: "broken") : nil)
        }
    }

    @Test func resolvesThroughTheStoreOnceLoaded() async throws {
        let store = InMemoryGeneReferenceStore()
        let resolver = GeneResolver(store: store)
        await #expect(throws: GeneReferenceError.notLoaded(.human)) { try await resolver.resolve(genes: ["VIRMA"], species: "human") }
        let summary = try await store.replaceReference(of: .human, source: "test", with: batches(records))
        #expect(summary.records == records.count)
        #expect(try await resolver.summary(of: .human) == summary)
        #expect(try await resolver.summary(of: .mouse) == nil)
        let report = try await resolver.resolve(genes: ["KIAA1429", "QARS", "nope"], species: "9606")
        #expect(report == (try index()).resolve(["KIAA1429", "QARS", "nope"]))
        // Loaded, but nothing matches: every name is not found, no error.
        #expect(try await resolver.resolve(genes: ["nope"], species: "human").counts == [.notFound: 1])
        await #expect(throws: GeneReferenceError.notLoaded(.mouse)) { try await resolver.resolve(genes: ["VIRMA"], species: "mouse") }
    }

    @Test func aFailedOrEmptyReplacementKeepsTheOldReference() async throws {
        let store = InMemoryGeneReferenceStore()
        let old = try await store.replaceReference(of: .human, source: "old", with: batches(records))
        let other = [GeneReferenceRecord(species: .human, ensemblID: "ENSG00000000001", symbol: "NEW1")]
        await #expect(throws: GeneReferenceFormatError.self) {
            try await store.replaceReference(of: .human, source: "new", with: batches(other, failing: true))
        }
        await #expect(throws: GeneReferenceError.emptyReference(.human)) {
            try await store.replaceReference(of: .human, source: "new", with: batches([]))
        }
        let mouse = [GeneReferenceRecord(species: .mouse, ensemblID: "ENSMUSG00000000001", symbol: "GNAI3")]
        await #expect(throws: GeneReferenceError.self) {
            try await store.replaceReference(of: .human, source: "new", with: batches(mouse))
        }
        #expect(store.summary(of: .human) == old)
        #expect(store.matches(forKeys: ["new1"], species: .human).isEmpty)
        let new = try await store.replaceReference(of: .human, source: "new", with: batches(other))
        #expect(store.summary(of: .human) == new)
        #expect(store.matches(forKeys: ["virma"], species: .human).isEmpty)
    }

    @Test func lookupsDuringAReplacementSeeTheOldOrTheNewReference() async throws {
        let store = InMemoryGeneReferenceStore()
        let first = (0..<2_000).map { GeneReferenceRecord(species: .human, ensemblID: "ENSG\($0 + 1)", symbol: "OLD\($0)") }
        let second = (0..<2_000).map { GeneReferenceRecord(species: .human, ensemblID: "ENSG\($0 + 1)", symbol: "NEW\($0)") }
        _ = try await store.replaceReference(of: .human, source: "old", with: batches(first))
        let keys = ["old0", "old1999", "new0", "new1999"]
        try await withThrowingTaskGroup { group in
            group.addTask {
                let chunks = AsyncThrowingStream<[GeneReferenceRecord], any Error> { continuation in
                    for start in stride(from: 0, to: second.count, by: 100) { continuation.yield(Array(second[start..<start + 100])) }
                    continuation.finish()
                }
                _ = try await store.replaceReference(of: .human, source: "new", with: chunks)
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 {
                        let symbols = Set(store.matches(forKeys: keys, species: .human).map(\.symbol))
                        #expect(symbols == ["OLD0", "OLD1999"] || symbols == ["NEW0", "NEW1999"])
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(store.summary(of: .human)?.source == "new")
    }
}
