import AssayDomain
import AssayInMemory
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

private func draft(_ title: String, _ genes: [String]) throws -> GenesetDraft {
    try GenesetDraft(title: title, geneNames: genes)
}

@Suite("GenesetRepository contract")
struct GenesetRepositoryContract {
    @Test(arguments: RepositoryFactory.all)
    func createThenReadReturnsTheSameSet(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let created = try await repository.create(try draft("  Great Genes ", ["BRCA1", "TP53", "egfr"]), at: t0)
            #expect(created.title == "Great Genes")
            #expect(created.genes.map(\.name) == ["BRCA1", "TP53", "egfr"])
            #expect(created.createdAt == t0 && created.updatedAt == t0)
            let read = try #require(try await repository.geneset(id: created.id))
            #expect(read == created)
            #expect(try await repository.geneset(id: created.id + 1000) == nil)
            #expect(try await repository.genesetCount() == 1)
            #expect(try await repository.geneCount() == 3)
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func genesAreSharedIgnoringCaseAndKeepTheirFirstSpelling(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let first = try await repository.create(try draft("One", ["BRCA1", "TP53"]), at: t0)
            let second = try await repository.create(try draft("Two", ["brca1", "MYC"]), at: t0)
            #expect(second.genes[0] == first.genes[0])
            #expect(second.genes[0].name == "BRCA1")
            let gene = try #require(try await repository.gene(named: "bRcA1", withSetsAfter: nil, limit: 10)).gene
            #expect(gene == first.genes[0])
            let summaries = try #require(try await repository.gene(named: "BRCA1", withSetsAfter: nil, limit: 10)).genesets
            #expect(summaries == [first.summary, second.summary])

            // Pages of the gene's sets.
            let both = try #require(try await repository.gene(named: "brCA1", withSetsAfter: nil, limit: 10))
            #expect(both.gene == gene && both.genesets == [first.summary, second.summary])
            let rest = try #require(try await repository.gene(named: "BRCA1", withSetsAfter: first.id, limit: 1))
            #expect(rest.gene == gene && rest.genesets == [second.summary])
            let firstOnly = try #require(try await repository.gene(named: "BRCA1", withSetsAfter: nil, limit: 1))
            #expect(firstOnly.genesets == [first.summary])
            let beyond = try #require(try await repository.gene(named: "BRCA1", withSetsAfter: second.id, limit: 10))
            #expect(beyond.gene == gene && beyond.genesets.isEmpty)
            #expect(try await repository.gene(named: "NOPE", withSetsAfter: nil, limit: 10) == nil)
        }
    }

    /// Every write path (create, bulk create, replace) stores a set's genes as the catalog first spelled them,
    /// whatever characters a name holds (Postgres keeps them in array columns too), and every read path returns
    /// them in input order.
    @Test(arguments: RepositoryFactory.all)
    func everyPathKeepsGenesInOrderWithTheirFirstSpelling(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let odd = ["NULL", "a\"b", "c\\d", "{x}", "e,f", "g'h"]
            let first = try await repository.create(try draft("Odd", odd + ["BRCA1"]), at: t0)
            #expect(first.genes.map(\.name) == odd + ["BRCA1"])
            try await repository.createMany(
                [try draft("Bulk", ["brca1", "NEW1"] + odd.reversed()), try draft("Bulk two", ["null", "TP53"])], at: t0)
            let sets = try await repository.genesets(matching: GenesetFilter(), after: nil, limit: 10)
            try #require(sets.count == 3)
            #expect(sets.map { $0.genes.map(\.name) } == [odd + ["BRCA1"], ["BRCA1", "NEW1"] + odd.reversed(), ["NULL", "TP53"]])
            let firstIDs = Dictionary(uniqueKeysWithValues: first.genes.map { ($0.name, $0.id) })
            #expect(sets[1].genes.filter { $0.name != "NEW1" }.map(\.id) == (["BRCA1"] + odd.reversed()).map { firstIDs[$0] })
            for set in sets { #expect(try await repository.geneset(id: set.id) == set) }

            let replaced = try #require(try await repository.replace(id: sets[2].id, with: try draft("Bulk two", ["e,F", "tp53", "ZZ9"]), at: t0))
            #expect(replaced.genes.map(\.name) == ["e,f", "TP53", "ZZ9"])
            #expect(try await repository.geneset(id: sets[2].id) == replaced)
            let withNull = try await repository.genesets(matching: GenesetFilter(geneName: "null"), after: nil, limit: 10)
            #expect(withNull == Array(sets[0...1]))
            let bulk = try await repository.genesets(matching: GenesetFilter(titleContains: "bulk"), after: nil, limit: 10)
            #expect(bulk == [sets[1], replaced])
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func replaceChangesTitleAndMembersButKeepsCreation(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let set = try await repository.create(try draft("Old", ["A1", "B2"]), at: t0)
            let later = t0.addingTimeInterval(60)
            let replaced = try #require(try await repository.replace(id: set.id, with: try draft("New", ["B2", "C3"]), at: later))
            #expect(replaced.id == set.id)
            #expect(replaced.title == "New")
            #expect(replaced.genes.map(\.name) == ["B2", "C3"])
            #expect(replaced.createdAt == t0 && replaced.updatedAt == later)
            #expect(try await repository.geneset(id: set.id) == replaced)
            #expect(try #require(try await repository.gene(named: "A1", withSetsAfter: nil, limit: 10)).genesets.isEmpty)
            #expect(try await repository.replace(id: set.id + 1000, with: try draft("X", ["A1"]), at: later) == nil)
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func deleteRemovesTheSetButNotItsGenes(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let set = try await repository.create(try draft("Doomed", ["KRAS"]), at: t0)
            #expect(try await repository.delete(id: set.id))
            #expect(try await repository.delete(id: set.id) == false)
            #expect(try await repository.geneset(id: set.id) == nil)
            #expect(try #require(try await repository.gene(named: "KRAS", withSetsAfter: nil, limit: 10)).genesets.isEmpty)
            #expect(try await repository.genesets(matching: GenesetFilter(), after: nil, limit: 10).isEmpty)
            #expect(try await repository.genesetCount() == 0)
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func keysetPagesVisitEverySetOnceInIdOrder(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            var ids: [Int64] = []
            for index in 0..<7 { ids.append(try await repository.create(try draft("Set \(index)", ["G\(index)", "SHARED"]), at: t0).id) }
            #expect(ids == ids.sorted())
            _ = try await repository.delete(id: ids[3])
            var seen: [Int64] = []
            var after: Int64?
            while true {
                let page = try await repository.genesets(matching: GenesetFilter(), after: after, limit: 3)
                seen += page.map(\.id)
                guard page.count == 3, let last = page.last else { break }
                after = last.id
            }
            #expect(seen == ids.filter { $0 != ids[3] })
            let firstTwo = try #require(try await repository.gene(named: "shared", withSetsAfter: nil, limit: 2)).genesets
            let rest = try #require(try await repository.gene(named: "shared", withSetsAfter: firstTwo.last?.id, limit: 10)).genesets
            #expect((firstTwo + rest).map(\.id) == seen)
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func createManyKeepsOrder(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let drafts = try (0..<25).map { try draft("Bulk \($0)", ["X\($0 % 4)", "Y\($0)"]) }
            try await repository.createMany(drafts, at: t0)
            let all = try await repository.genesets(matching: GenesetFilter(), after: nil, limit: 100)
            #expect(all.map(\.title) == drafts.map(\.title))
            #expect(all.map { $0.genes.map(\.name) } == drafts.map(\.geneNames))
            let genes = try await repository.genes(after: nil, limit: 500)
            #expect(genes.count == 4 + 25)
            #expect(genes.map(\.name) == GenesetRules.idAssignmentOrder(Set(drafts.flatMap(\.geneNames))))
            #expect(Set(genes.map { $0.name.lowercased() }).count == genes.count)
        }
    }

    /// Batches of one bulk load share genes (in any case): later batches reuse the earlier batches' genes, ids and
    /// spelling, exactly as separate calls without the load would; genes added in between by another writer are
    /// found too.
    @Test(arguments: RepositoryFactory.all)
    func bulkLoadBatchesReuseTheGenesOfEarlierOnes(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let load = BulkLoad()
            try await repository.createMany([try draft("First", ["TP53", "BRCA1"]), try draft("Second", ["BRCA1", "MYC"])], at: t0, loading: load)
            _ = try await repository.create(try draft("Outside the load", ["EGFR", "myc"]), at: t0)
            try await repository.createMany([try draft("Third", ["tp53", "egfr", "KRAS"]), try draft("Fourth", ["Myc"])], at: t0, loading: load)
            let genes = try await repository.genes(after: nil, limit: 100)
            #expect(genes.count == 5)
            #expect(Set(genes.map(\.name)) == ["TP53", "BRCA1", "MYC", "EGFR", "KRAS"])
            let byName = Dictionary(uniqueKeysWithValues: genes.map { ($0.name, $0) })
            let sets = try await repository.genesets(matching: GenesetFilter(), after: nil, limit: 10)
            #expect(sets.map(\.title) == ["First", "Second", "Outside the load", "Third", "Fourth"])
            #expect(sets[3].genes == ["TP53", "EGFR", "KRAS"].compactMap { byName[$0] })
            #expect(sets[4].genes == ["MYC"].compactMap { byName[$0] })
            #expect(
                try await repository.gene(named: "myc", withSetsAfter: nil, limit: 10)?.genesets.map(\.title) == [
                    "Second", "Outside the load", "Fourth",
                ])
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func titleFilterIgnoresCaseAndTakesWildcardsLiterally(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let titles = ["50% done", "500 done", "a_b", "axb", #"back\slash"#, "backslash", "Great Genes", "not so GREAT"]
            for title in titles { _ = try await repository.create(try draft(title, ["G1"]), at: t0) }
            func matching(_ text: String) async throws -> [String] {
                try await repository.genesets(matching: GenesetFilter(titleContains: text), after: nil, limit: 50).map(\.title)
            }
            #expect(try await matching("%") == ["50% done"])
            #expect(try await matching("_") == ["a_b"])
            #expect(try await matching(#"\"#) == [#"back\slash"#])
            #expect(try await matching("great") == ["Great Genes", "not so GREAT"])
            #expect(try await matching("nothing like this").isEmpty)
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func geneFilterCombinesWithTitleFilter(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let a = try await repository.create(try draft("Alpha pathway", ["TP53", "MDM2"]), at: t0)
            _ = try await repository.create(try draft("Beta pathway", ["MDM2"]), at: t0)
            let c = try await repository.create(try draft("Gamma", ["tp53"]), at: t0)
            let withTP53 = try await repository.genesets(matching: GenesetFilter(geneName: "Tp53"), after: nil, limit: 10)
            #expect(withTP53.map(\.id) == [a.id, c.id])
            let both = try await repository.genesets(matching: GenesetFilter(titleContains: "PATHWAY", geneName: "TP53"), after: nil, limit: 10)
            #expect(both.map(\.id) == [a.id])
            #expect(try await repository.genesets(matching: GenesetFilter(geneName: "UNKNOWN"), after: nil, limit: 10).isEmpty)
            let paged = try await repository.genesets(matching: GenesetFilter(geneName: "TP53"), after: a.id, limit: 10)
            #expect(paged.map(\.id) == [c.id])
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func geneSearchRanksExactPrefixSubstringThenSimilar(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            _ = try await repository.create(try draft("Search", ["XBRCA1", "BRCA2", "BRCA1", "BRCA1P1", "TP53", "BRCA"]), at: t0)
            let names = try await repository.searchGenes(try GeneSearch.Query("brca1"), limit: 10).map(\.gene.name)
            #expect(names == ["BRCA1", "BRCA1P1", "XBRCA1", "BRCA", "BRCA2"])
            let matches = try await repository.searchGenes(try GeneSearch.Query("brca1"), limit: 10)
            #expect(matches.map(\.kind) == [.exact, .prefix, .substring, .fuzzy, .fuzzy])
            let typo = try await repository.searchGenes(try GeneSearch.Query("BRAC"), limit: 10)
            #expect(typo.first?.gene.name == "BRCA")
            #expect(!typo.map(\.gene.name).contains("TP53"))
            #expect(try await repository.searchGenes(try GeneSearch.Query("brca"), limit: 2).map(\.gene.name) == ["BRCA", "BRCA1"])
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func geneSearchTakesWildcardsLiterally(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            _ = try await repository.create(try draft("Odd names", ["A%B", "A_B", "AXB", #"A\B"#, "AB"]), at: t0)
            #expect(try await repository.searchGenes(try GeneSearch.Query("%"), limit: 10).map(\.gene.name) == ["A%B"])
            #expect(try await repository.searchGenes(try GeneSearch.Query("_"), limit: 10).map(\.gene.name) == ["A_B"])
            #expect(try await repository.searchGenes(try GeneSearch.Query(#"\"#), limit: 10).map(\.gene.name) == [#"A\B"#])
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func genesArePagedByIdAscending(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            _ = try await repository.create(try draft("Many", (0..<12).map { "GENE\($0)" }), at: t0)
            let first = try await repository.genes(after: nil, limit: 5)
            let second = try await repository.genes(after: first.last?.id, limit: 5)
            let third = try await repository.genes(after: second.last?.id, limit: 5)
            let all = first + second + third
            #expect(all.map(\.name) == GenesetRules.idAssignmentOrder((0..<12).map { "GENE\($0)" }))
            #expect(all.map(\.name).prefix(4) == ["GENE0", "GENE1", "GENE10", "GENE11"])
            #expect(all.map(\.id) == all.map(\.id).sorted())
        }
    }

    @Test(arguments: RepositoryFactory.all)
    func concurrentCreatesGetDistinctIdsAndShareGenes(factory: RepositoryFactory) async throws {
        try await factory.use { repository in
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<20 {
                    group.addTask { try await repository.create(try draft("Concurrent \(index)", ["COMMON", "own\(index)"]), at: t0).id }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 20)
            #expect(try #require(try await repository.gene(named: "common", withSetsAfter: nil, limit: 100)).genesets.count == 20)
            #expect(try await repository.genes(after: nil, limit: 100).count == 21)
        }
    }
}
