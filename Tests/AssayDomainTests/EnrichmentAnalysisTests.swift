import AssayDomain
import Testing

/// Sets of a small library: genes g1...g10 spread over four sets; "ORPHAN" is in no set.
private let library = [
    EnrichmentGeneset(id: 30, title: "Alpha", collectionID: 7, geneNames: ["G1", "G2", "G3", "G4"]),
    EnrichmentGeneset(id: 10, title: "Beta", geneNames: ["G3", "g4", "G5"]),
    EnrichmentGeneset(id: 20, title: "Gamma", geneNames: ["G6", "G7", "G8", "G9", "G10", "G6"]),
    EnrichmentGeneset(id: 40, title: "Delta", geneNames: ["G5", "G4", "G3"]),
]

private func analyse(
    _ genes: [String], _ background: EnrichmentQuery.Background = .sets,
    minimumSetSize: Int = 1, maximumSetSize: Int? = nil, limit: Int = 50
) throws -> EnrichmentResult {
    let query = try EnrichmentQuery(
        genes: genes, background: background, minimumSetSize: minimumSetSize, maximumSetSize: maximumSetSize, limit: limit)
    return try EnrichmentAnalysis(index: EnrichmentIndex(library)).run(query)
}

private func fields(_ body: () throws -> Void) -> [String] {
    do {
        try body()
        return []
    } catch let error as ValidationError {
        return error.errors.map(\.field)
    } catch {
        return ["unexpected \(error)"]
    }
}

@Suite("Enrichment analysis")
struct EnrichmentAnalysisTests {
    @Test func defaultBackgroundIsTheUnionOfTheSets() throws {
        let result = try analyse(["g3", "G4", "ORPHAN", "g4", " G5 "])
        // Union: G1...G10 (G6 twice in Gamma counts once).
        #expect(result.backgroundSize == 10)
        #expect(result.listSize == 3)
        #expect(result.unmapped == ["ORPHAN"])
        #expect(result.unannotated.isEmpty)
        #expect(result.duplicates == ["g4"])
        #expect(result.testedSetCount == 3)
        // Beta and Delta hold all three list genes: same p, ordered by id; Alpha after; Gamma not tested.
        #expect(result.terms.map(\.id) == [10, 40, 30])
        let beta = result.terms[0]
        #expect(beta.setSize == 3 && beta.overlap == 3)
        #expect(beta.overlapGenes == ["G3", "g4", "G5"])  // The set's spelling and order.
        #expect(result.terms[1].overlapGenes == ["G5", "G4", "G3"])
        let expected = try #require(HypergeometricTail(atLeast: 3, population: 10, successes: 3, draws: 3))
        #expect(beta.logP == expected.logP && beta.p == expected.p)
        #expect(beta.oddsRatio == OddsRatio.haldaneAnscombe(overlap: 3, setSize: 3, listSize: 3, background: 10))
        #expect(beta.combinedScore == -expected.logP * beta.oddsRatio)
        let alpha = result.terms[2]
        #expect(alpha.title == "Alpha" && alpha.collectionID == 7 && alpha.overlap == 2 && alpha.setSize == 4)
        #expect(alpha.overlapGenes == ["G3", "G4"])
        let adjusted = BenjaminiHochberg.adjust(result.terms.map(\.p))
        #expect(result.terms.map(\.adjustedP) == adjusted)
    }

    @Test func geneListBackgroundIntersectsListAndSets() throws {
        // Background: G3, G4, G6, G7 and OTHER (in no set); G5 is outside it.
        let result = try analyse(["G3", "G5", "OTHER", "G6"], .genes(["g3", "G4", "G6", "g7", "OTHER", "other"]))
        #expect(result.backgroundSize == 5)
        #expect(result.backgroundDuplicates == 1)
        #expect(result.listSize == 3)
        #expect(result.unmapped == ["G5"])
        #expect(result.unannotated == ["OTHER"])
        let byID = Dictionary(uniqueKeysWithValues: result.terms.map { ($0.id, $0) })
        // Alpha within the background: G3, G4; Beta and Delta: G3, g4; Gamma: G6, G7.
        #expect(byID[30]?.setSize == 2)
        #expect(byID[10]?.setSize == 2)
        #expect(byID[20]?.setSize == 2)
        #expect(byID[20]?.overlapGenes == ["G6"])
        let tail = try #require(HypergeometricTail(atLeast: 1, population: 5, successes: 2, draws: 3))
        #expect(byID[20]?.p == tail.p)
    }

    @Test func numericBackgroundChangesOnlyN() throws {
        let result = try analyse(["G1", "G2", "NOVEL"], .size(20_000))
        #expect(result.backgroundSize == 20_000)
        #expect(result.listSize == 3)  // NOVEL counts in k, as in gseapy.
        #expect(result.unmapped.isEmpty)
        #expect(result.unannotated == ["NOVEL"])
        #expect(result.terms.map(\.id) == [30])
        let tail = try #require(HypergeometricTail(atLeast: 2, population: 20_000, successes: 4, draws: 3))
        #expect(result.terms[0].logP == tail.logP)
    }

    @Test func numericBackgroundSmallerThanATestedSetIsRefused() throws {
        #expect(fields { _ = try analyse(["G6"], .size(3)) } == ["background"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A", "B", "C"], background: .size(2)) } == ["background"])
    }

    @Test func sizeBoundsCountWithinTheBackground() throws {
        // Alpha has 4 genes, but 2 within this background: a minimum of 3 drops it.
        let bounded = try analyse(["G3"], .genes(["G3", "G4", "G5"]), minimumSetSize: 3)
        #expect(bounded.terms.map(\.id) == [10, 40])
        #expect(bounded.testedSetCount == 2)
        let capped = try analyse(["G3"], maximumSetSize: 3)
        #expect(capped.terms.map(\.id) == [10, 40])
    }

    @Test func limitTruncatesRowsButNotTheCorrection() throws {
        let all = try analyse(["G3", "G4"])
        let one = try analyse(["G3", "G4"], limit: 1)
        #expect(one.terms.count == 1)
        #expect(one.testedSetCount == all.testedSetCount)
        #expect(one.terms[0] == all.terms[0])
    }

    @Test func listWithNothingInTheBackgroundTestsNothing() throws {
        let result = try analyse(["ORPHAN"])
        #expect(result.terms.isEmpty && result.testedSetCount == 0 && result.listSize == 0)
        #expect(result.unmapped == ["ORPHAN"])
    }

    @Test func validationNamesEveryBadField() {
        #expect(fields { _ = try EnrichmentQuery(genes: []) } == ["genes"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A", "", "B C", "D/E"]) } == ["genes[1]", "genes[2]", "genes[3]"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], background: .genes([])) } == ["background"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], background: .genes(["B", " "])) } == ["background[1]"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], background: .size(0)) } == ["background"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], minimumSetSize: 0) } == ["min_size"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], minimumSetSize: 5, maximumSetSize: 4) } == ["max_size"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], limit: 0) } == ["limit"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], limit: 1_001) } == ["limit"])
        #expect(fields { _ = try EnrichmentQuery(genes: ["A"], limit: 1_000) }.isEmpty)
        let tooMany = [String](repeating: "x y", count: 150)
        let reported = fields { _ = try EnrichmentQuery(genes: tooMany) }
        #expect(reported.count == 101 && reported.last == "genes")
    }

    @Test func costFollowsMembershipsNotSets() throws {
        // 200,000 one-gene sets: a two-gene list touches two of them.
        let many = (0..<200_000).map { EnrichmentGeneset(id: Int64($0), title: "S\($0)", geneNames: ["G\($0)"]) }
        let analysis = EnrichmentAnalysis(index: EnrichmentIndex(many))
        let result = try analysis.run(EnrichmentQuery(genes: ["G5", "G7"]))
        #expect(result.testedSetCount == 2)
        #expect(result.backgroundSize == 200_000)
        #expect(result.terms.map(\.id) == [5, 7])
    }

    /// Ranking through groups of equal tails gives exactly what ranking every row does: the order by (log p, set id)
    /// and Benjamini–Hochberg over all tested rows, bit for bit, and a smaller limit reports a prefix. Random catalogs
    /// with few distinct set sizes, so that many rows tie, and ids out of insertion order.
    @Test func rankingThroughTailGroupsMatchesRankingEveryRow() throws {
        var random = SplitMix64(seed: 15)
        for _ in 0..<40 {
            let genes = (0..<60).map { "G\($0)" }
            let sets = (0..<Int.random(in: 20...120, using: &random)).map { index in
                EnrichmentGeneset(
                    id: Int64.random(in: 1...1_000_000, using: &random) * 1_000 + Int64(index), title: "S\(index)",
                    geneNames: Array(genes.shuffled(using: &random).prefix([5, 8, 13].randomElement(using: &random) ?? 5)))
            }
            let list = Array(genes.shuffled(using: &random).prefix(Int.random(in: 3...20, using: &random)))
            let analysis = EnrichmentAnalysis(index: EnrichmentIndex(sets))
            let all = try analysis.run(try EnrichmentQuery(genes: list, limit: EnrichmentRules.maximumLimit))
            #expect(all.terms.count == all.testedSetCount)
            let expectedOrder = all.terms.sorted { ($0.logP, $0.id) < ($1.logP, $1.id) }.map(\.id)
            #expect(all.terms.map(\.id) == expectedOrder)
            #expect(all.terms.map(\.adjustedP) == BenjaminiHochberg.adjust(all.terms.map(\.p)))
            let top = try analysis.run(try EnrichmentQuery(genes: list, limit: 7))
            #expect(top.terms == Array(all.terms.prefix(7)))
        }
    }

    /// Tails kept from earlier analyses of an index (its memo, keyed by N, k, set size and overlap) give exactly what a
    /// fresh index computes: random catalogs with set sizes on both sides of the memo's bound, overlaps above its bound,
    /// private sets of two owners, and a sequence of analyses by different viewers with every kind of background.
    @Test func tailsKeptByTheIndexMatchFreshOnes() throws {
        var random = SplitMix64(seed: 18)
        let universe = (0..<3_000).map { "G\($0)" }
        let viewers = [Viewer.system, Viewer(user: "ann", isAdmin: false), Viewer(user: "bob", isAdmin: false), Viewer(user: "eve", isAdmin: false)]
        for round in 0..<3 {
            let sets = (0..<150).map { index in
                let size = [3, 17, 40, 300, 1_023, 1_024, 1_100].randomElement(using: &random) ?? 3
                let ownership =
                    round == 0 || Bool.random(using: &random)
                    ? Ownership(owner: "ann", visibility: .public)
                    : Ownership(owner: ["ann", "bob"].randomElement(using: &random) ?? "ann", visibility: .private)
                return EnrichmentGeneset(
                    id: Int64(index + 1), title: "S\(index)", geneNames: Array(universe.shuffled(using: &random).prefix(size)),
                    ownership: ownership)
            }
            let shared = EnrichmentIndex(sets)
            for _ in 0..<12 {
                let list = Array(universe.shuffled(using: &random).prefix([5, 300, 300, 900].randomElement(using: &random) ?? 5))
                let background: EnrichmentQuery.Background =
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: .size(5_000)
                    case 1: .genes(Array(universe.prefix(2_500)))
                    default: .sets
                    }
                let query = try EnrichmentQuery(genes: list, background: background, limit: EnrichmentRules.maximumLimit)
                let viewer = viewers.randomElement(using: &random) ?? .system
                let kept = try EnrichmentAnalysis(index: shared, viewer: viewer).run(query)
                let fresh = try EnrichmentAnalysis(index: EnrichmentIndex(sets), viewer: viewer).run(query)
                #expect(kept == fresh)
                #expect(kept.terms.contains { $0.overlap >= 16 } || list.count < 300)
            }
        }
    }

    /// Each term names its overlap genes in the set's member order and spelling, whether they come from scanning the
    /// reported sets' members (a long list) or from walking the list genes' memberships (a short list against large
    /// sets with a high limit): both against a brute-force reading of the sets.
    @Test func overlapGenesComeInMemberOrderOnBothPaths() throws {
        var random = SplitMix64(seed: 21)
        let universe = (0..<400).map { "G\($0)" }
        for _ in 0..<30 {
            let sets = (0..<60).map { index in
                EnrichmentGeneset(
                    id: Int64(index + 1), title: "S\(index)",
                    geneNames: Array(universe.shuffled(using: &random).prefix([4, 30, 200].randomElement(using: &random) ?? 4)))
            }
            let list = Array(universe.shuffled(using: &random).prefix([1, 2, 40, 150].randomElement(using: &random) ?? 1))
                .map { Bool.random(using: &random) ? $0.lowercased() : $0 }
            let result = try EnrichmentAnalysis(index: EnrichmentIndex(sets)).run(
                try EnrichmentQuery(genes: list, limit: [3, 10, EnrichmentRules.maximumLimit].randomElement(using: &random) ?? 3))
            let wanted = Set(list.map { $0.uppercased() })
            for term in result.terms {
                let set = try #require(sets.first { $0.id == term.id })
                #expect(term.overlapGenes == set.geneNames.filter { wanted.contains($0.uppercased()) })
                #expect(term.overlap == term.overlapGenes.count)
            }
            #expect(result.testedSetCount == sets.filter { $0.geneNames.contains { wanted.contains($0.uppercased()) } }.count)
        }
    }
}
