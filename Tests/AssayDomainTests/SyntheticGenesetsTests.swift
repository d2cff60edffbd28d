import AssayDomain
import Testing

@Suite("Synthetic gene sets")
struct SyntheticGenesetsTests {
    @Test func sameSeedSameSetsWhateverTheBatching() throws {
        let data = try SyntheticGenesets(sets: 100, genesPerSet: 10, seed: 42)
        let whole = data.drafts(0..<100)
        let batched = data.drafts(0..<37) + data.drafts(37..<100)
        #expect(whole == batched)
        #expect(whole.count == 100)
        #expect(whole.allSatisfy { $0.geneNames.count == 10 })
        let other = try SyntheticGenesets(sets: 100, genesPerSet: 10, seed: 43).drafts(0..<100)
        #expect(other != whole)
    }

    @Test func setsDrawGenesUniformlyFromThePool() throws {
        // 2,000 sets x 10 genes draw 20,000 times from a pool of 4,000: about 4,000 x (1 - e^-5) = 3,973 distinct
        // genes if the sets' random streams are independent (overlapping streams gave 63% of the pool).
        let data = try SyntheticGenesets(sets: 2_000, genesPerSet: 10, seed: 1)
        #expect(data.poolSize == 4_000)
        let distinct = Set(data.drafts(0..<2_000).flatMap(\.geneNames))
        #expect(distinct.count > 3_900)
    }

    @Test func poolNamesAreDistinctValidSymbols() {
        let names = (0..<50_000).map(SyntheticGenesets.geneName)
        #expect(Set(names.map { $0.lowercased() }).count == names.count)
        #expect(names.allSatisfy { GenesetDraft.problem(withGeneName: $0) == nil })
    }

    @Test func refusesNonsenseSizes() {
        #expect(throws: ValidationError.self) { try SyntheticGenesets(sets: -1, genesPerSet: 0, seed: 1) }
    }

    @Test func splitMixIsDeterministic() {
        var a = SplitMix64(seed: 7)
        var b = SplitMix64(seed: 7)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    }
}
