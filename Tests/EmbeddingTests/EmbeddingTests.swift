// Embedding Assay in another Swift tool needs only AssayDomain and AssayInMemory: no server, no I/O. The examples of
// docs/embedding.md are not copied here: scripts/embedding-guide.py builds and runs them as an outside package.
import AssayDomain
import AssayInMemory
import Testing

@Suite("Embedding the domain")
struct EmbeddingTests {
    @Test func aToolCanUseTheCatalogWithoutTheServer() async throws {
        let catalog = GenesetCatalog(repository: InMemoryGenesetRepository())
        let set = try await catalog.create(title: "Great Genes", geneNames: ["BRCA1", "TP53"])
        _ = try await catalog.create(title: "Repair", geneNames: ["brca1", "ATM"])

        let found = try await catalog.searchTitles("great", limit: nil, cursor: nil)
        #expect(found.items.map(\.id) == [set.id])

        let brca1 = try await catalog.gene(named: "BRCA1", limit: 10, cursor: nil)
        #expect(brca1.genesets.items.map(\.title) == ["Great Genes", "Repair"])

        let ranked = try await catalog.searchGenes("BRAC", limit: 5)
        #expect(ranked.first?.gene.name == "BRCA1")

        await #expect(throws: GenesetError.genesetNotFound(999)) { try await catalog.geneset(id: 999) }
        await #expect(throws: ValidationError.self) { try await catalog.create(title: "", geneNames: []) }
    }

    @Test func populateFillsAnyRepositoryDeterministically() async throws {
        let data = try SyntheticGenesets(sets: 250, genesPerSet: 5, seed: 9)
        func fill() async throws -> [Geneset] {
            let repository = InMemoryGenesetRepository()
            var reported: [Int] = []
            try await GenesetCatalog(repository: repository).populate(data, batchSize: 100) { reported.append($0) }
            #expect(reported == [100, 200, 250])
            return await repository.genesets(matching: GenesetFilter(), after: nil, limit: 500)
        }
        let first = try await fill()
        let second = try await fill()
        #expect(first.count == 250)
        #expect(first.map(\.title) == second.map(\.title))
        #expect(first.map { $0.genes.map(\.name) } == second.map { $0.genes.map(\.name) })
    }

    @Test func aToolCanDeriveUserFeaturesFromItsOwnBytes() async throws {
        let etl = FeatureETL(store: InMemoryFeatureStore())
        let input = InMemoryETLInput(texts: [
            .users: "user_id,name,email,signup_date\n1,Ann,ann@lab.org,2024-01-01\n2,Ben,ben@lab.org,2024-01-02",
            .compounds: "compound_id,compound_name,compound_structure\n1,A,H2O\n2,B,CO2",
            .experiments: "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n1,1,1;2,10\n2,1,2,30",
        ])
        let run = try await etl.run(input, mode: .strict)
        #expect(run.status == .success && run.averageExperimentsPerUser == 1)
        let ann = try await etl.features(userID: 1)
        #expect(ann.topCompound?.name == "B" && ann.topCompoundUses == 2 && ann.averageRunTime == 20)
        #expect(try await etl.features(userID: 2).experimentCount == 0)
    }
}
