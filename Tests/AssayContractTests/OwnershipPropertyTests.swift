import AssayDomain
import Foundation
import Testing

/// Issue 20's property: whatever user B does, in any order and interleaved with A's own changes, nothing B gets back
/// reveals a private set of A: not its id, title or genes, and not through a count. Random sequences on every adapter,
/// checked against a model of who sees what.
@Suite("Ownership property")
struct OwnershipPropertyTests {
    private static let alice = Viewer(user: "alice", isAdmin: false)
    private static let bob = Viewer(user: "bob", isAdmin: false)
    private static let secretGenes = (1...12).map { "ASECRET\($0)" }
    private static let sharedGenes = (1...15).map { "SHARED\($0)" }
    private static let bobGenes = (1...6).map { "BOBG\($0)" }

    /// What the test knows was stored.
    private struct StoredSet {
        let owner: String
        let visibility: Visibility
        let genes: [String]
    }

    @Test(arguments: CatalogFactory.all)
    func noSequenceOfCallsByBobRevealsAlicesPrivateSets(factory: CatalogFactory) async throws {
        let sequences = factory.name == "postgres" ? 6 : 25
        for seed in 0..<UInt64(sequences) {
            try await factory.use { ports in try await Self.run(seed: seed, ports.genesets, ports) }
        }
    }

    private static func run<G: GenesetRepository>(seed: UInt64, _ repository: G, _ ports: CatalogPorts) async throws {
        var random = SplitMix64(seed: 0x20_0000 + seed)
        let catalog = GenesetCatalog(repository: repository)
        let service = EnrichmentService(source: ports.enrichment)
        let overview = CatalogOverview(genesets: repository, collections: ports.collections)
        var stored: [Int64: StoredSet] = [:]
        let context = "seed \(seed)"

        func hiddenIDs() -> Set<Int64> { Set(stored.filter { $0.value.owner == "alice" && $0.value.visibility == .private }.keys) }
        func visibleToBob() -> [Int64: StoredSet] { stored.filter { $0.value.visibility == .public || $0.value.owner == "bob" } }
        func check(_ sets: [Geneset], _ what: String) {
            for set in sets {
                #expect(!hiddenIDs().contains(set.id), "\(context): \(what) showed hidden set \(set.id)")
                #expect(!set.title.contains("SECRET"), "\(context): \(what) showed title \(set.title)")
                #expect(set.genes.allSatisfy { !$0.name.hasPrefix("ASECRET") }, "\(context): \(what) showed a secret gene")
            }
        }
        func pick(_ pool: [String], _ count: Int) -> [String] {
            Array(pool.shuffled(using: &random).prefix(count))
        }

        for step in 0..<30 {
            switch Int.random(in: 0..<14, using: &random) {
            case 0, 1:
                // Alice stores a private set: a secret title and at least one secret gene.
                let genes = pick(secretGenes, Int.random(in: 1...3, using: &random)) + pick(sharedGenes, Int.random(in: 0...3, using: &random))
                let set = try await catalog.create(title: "SECRET screen \(step)", geneNames: genes, as: alice)
                stored[set.id] = StoredSet(owner: "alice", visibility: .private, genes: genes)
            case 2:
                let genes = pick(sharedGenes, Int.random(in: 1...4, using: &random))
                let set = try await catalog.create(title: "Alice public \(step)", geneNames: genes, visibility: .public, as: alice)
                stored[set.id] = StoredSet(owner: "alice", visibility: .public, genes: genes)
            case 3:
                let genes = pick(bobGenes + sharedGenes, Int.random(in: 1...4, using: &random))
                let visibility: Visibility = Bool.random(using: &random) ? .public : .private
                let set = try await catalog.create(title: "Bob \(step)", geneNames: genes, visibility: visibility, as: bob)
                stored[set.id] = StoredSet(owner: "bob", visibility: visibility, genes: genes)
            case 4:
                // Bob reads every page of a list, with random filters and page sizes.
                let owner = [nil, "alice", "bob"].randomElement(using: &random) ?? nil
                let visibility = [nil, Visibility.private, .public].randomElement(using: &random) ?? nil
                var cursor: String?
                var seen: [Geneset] = []
                repeat {
                    let page = try await catalog.list(
                        limit: Int.random(in: 1...4, using: &random), cursor: cursor, owner: owner, visibility: visibility, as: bob)
                    seen += page.items
                    cursor = page.nextCursor
                } while cursor != nil
                check(seen, "list")
                let expected = visibleToBob().filter { id, set in
                    (owner.map { $0 == set.owner } ?? true) && (visibility.map { $0 == set.visibility } ?? true)
                }
                #expect(Set(seen.map(\.id)) == Set(expected.keys), "\(context): list owner=\(owner ?? "-")")
            case 5:
                let pattern = ["SECRET", "screen", "e", "Alice", "\(step)"].randomElement(using: &random) ?? "e"
                check(try await catalog.searchTitles(pattern, limit: 500, cursor: nil, as: bob).items, "title search")
            case 6:
                let name = (secretGenes + sharedGenes + bobGenes).randomElement(using: &random) ?? "X"
                let holders = visibleToBob().filter { $0.value.genes.contains(name) }
                do {
                    let detail = try await catalog.gene(named: name, limit: 500, cursor: nil, as: bob)
                    #expect(Set(detail.genesets.items.map(\.id)) == Set(holders.keys), "\(context): gene \(name)")
                } catch GenesetError.geneNotFound {
                    #expect(holders.isEmpty, "\(context): gene \(name) not found but bob sees sets holding it")
                }
                check(try await catalog.list(limit: 500, cursor: nil, gene: name, as: bob).items, "gene filter")
            case 7:
                let query = ["ASECRET", "ASEC", "SHARED1", "BOBG", "SECRET1"].randomElement(using: &random) ?? "A"
                let names = try await catalog.searchGenes(query, limit: 500, as: bob).map(\.gene.name)
                #expect(names.allSatisfy { !$0.hasPrefix("ASECRET") }, "\(context): gene search \(query)")
            case 8:
                let genes = try await catalog.genes(limit: 500, cursor: nil, as: bob).items.map(\.name)
                #expect(Set(genes) == Set(visibleToBob().values.flatMap(\.genes)), "\(context): genes")
            case 9:
                let counts = try await overview.counts(for: bob)
                #expect(counts.genesets == visibleToBob().count, "\(context): set count")
                #expect(counts.genes == Set(visibleToBob().values.flatMap(\.genes)).count, "\(context): gene count")
            case 10:
                let list = pick(secretGenes, 3) + pick(sharedGenes, 4) + pick(bobGenes, 1)
                let result = try await service.analyse(try EnrichmentQuery(genes: list), collection: nil, as: bob)
                #expect(Set(result.terms.map(\.id)).isDisjoint(with: hiddenIDs()), "\(context): enrichment")
                #expect(result.terms.allSatisfy { !$0.title.contains("SECRET") && $0.overlapGenes.allSatisfy { !$0.hasPrefix("ASECRET") } })
                #expect(result.backgroundSize == Set(visibleToBob().values.flatMap(\.genes)).count, "\(context): enrichment N")
                #expect(result.testedSetCount == visibleToBob().values.filter { !Set($0.genes).isDisjoint(with: list) }.count)
            case 11:
                // Any id, hidden or missing, answers alike; visible ones are what was stored.
                let id = Int64.random(in: 1...Int64(stored.count + 3), using: &random)
                do {
                    let set = try await catalog.geneset(id: id, as: bob)
                    check([set], "read")
                    #expect(visibleToBob()[id] != nil)
                } catch let error as GenesetError {
                    #expect(error == .genesetNotFound(id) && visibleToBob()[id] == nil, "\(context): read \(id)")
                }
            case 12:
                let id = Int64.random(in: 1...Int64(stored.count + 3), using: &random)
                do {
                    if Bool.random(using: &random) {
                        let set = try await catalog.replace(id: id, title: "Bob took \(step)", geneNames: pick(bobGenes, 2), as: bob)
                        stored[id] = StoredSet(owner: set.owner, visibility: set.visibility, genes: set.genes.map(\.name))
                    } else {
                        try await catalog.delete(id: id, as: bob)
                        stored[id] = nil
                    }
                    #expect(stored[id] == nil || stored[id]?.owner == "bob", "\(context): bob changed set \(id)")
                } catch let error as GenesetError {
                    #expect(error == .genesetNotFound(id) && visibleToBob()[id] == nil, "\(context): change \(id)")
                } catch let error as NotOwnerError {
                    #expect(visibleToBob()[id]?.owner == "alice" && error.owner == "alice", "\(context): change \(id)")
                }
            default:
                // Alice changes her mind about one of her sets.
                guard let (id, set) = stored.filter({ $0.value.owner == "alice" }).randomElement(using: &random) else { continue }
                let visibility: Visibility = set.visibility == .public ? .private : .public
                let genes = visibility == .private ? pick(secretGenes, 2) : pick(sharedGenes, 2)
                let title = visibility == .private ? "SECRET again \(step)" : "Alice public again \(step)"
                _ = try await catalog.replace(id: id, title: title, geneNames: genes, visibility: visibility, as: alice)
                stored[id] = StoredSet(owner: "alice", visibility: visibility, genes: genes)
            }
        }
    }
}
