import AssayDomain
import Foundation
import Testing

/// The file as one chunk, as a small upload arrives.
private struct WholeFile: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async throws -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}

private let alice = Viewer(user: "alice", isAdmin: false)
private let bob = Viewer(user: "bob", isAdmin: false)
private let admin = Viewer(user: "admin", isAdmin: true)

/// The authorisation rules of issue 20 on every adapter, through the use cases that apply them: a private object of
/// another user does not exist for the caller (not read, listed, found, counted, exported, enriched against or
/// changed), a public one can be read but not changed, and owners and admins may do everything.
@Suite("Ownership contract")
struct OwnershipContract {
    /// What alice owns at the start of every test.
    struct World {
        let secret: Geneset
        let shared: Geneset
        let privateCollection: GenesetCollection
        let publicCollection: GenesetCollection
        let bobsSet: Geneset
    }

    /// Alice: a private set holding genes nobody else has, a public set, a private collection with two imported sets and
    /// an empty public collection. Bob: one private set. Admin: one public set.
    static func world<G: GenesetRepository, C: CollectionRepository>(_ genesets: GenesetCatalog<G>, _ collections: CollectionCatalog<C>)
        async throws -> World
    {
        _ = try await genesets.create(title: "admin's public", geneNames: ["TP53", "EGFR"], visibility: .public, as: admin)
        let secret = try await genesets.create(title: "Alice secret screen", geneNames: ["SECRETA1", "SECRETA2", "TP53"], as: alice)
        let shared = try await genesets.create(title: "Alice shared", geneNames: ["BRCA1", "TP53"], visibility: .public, as: alice)
        let privateCollection = try await collections.create(name: "Alice lab", as: alice)
        let gmt = "HIDDEN_ONE\tna\tSECRETC1\tTP53\nHIDDEN_TWO\tna\tSECRETC2\tEGFR\n"
        _ = try await collections.importGMT(into: privateCollection.id, from: WholeFile(bytes: Array(gmt.utf8)), mode: .strict, as: alice)
        let publicCollection = try await collections.create(name: "Alice published", visibility: .public, as: alice)
        let bobsSet = try await genesets.create(title: "Bob own", geneNames: ["BOBGENE", "EGFR"], as: bob)
        return World(
            secret: secret, shared: shared, privateCollection: try await collections.collection(id: privateCollection.id, as: alice),
            publicCollection: publicCollection, bobsSet: bobsSet)
    }

    /// Every id of a list, read page by page with `limit` 1 so that the cursor is exercised.
    static func allIDs<G: GenesetRepository>(_ catalog: GenesetCatalog<G>, as viewer: Viewer, owner: String? = nil, visibility: Visibility? = nil)
        async throws -> [Int64]
    {
        var ids: [Int64] = []
        var cursor: String?
        repeat {
            let page = try await catalog.list(limit: 1, cursor: cursor, owner: owner, visibility: visibility, as: viewer)
            ids += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    @Test(arguments: CatalogFactory.all)
    func anotherUsersPrivateObjectsDoNotExist(factory: CatalogFactory) async throws {
        try await factory.use { ports in try await Self.hidden(ports.genesets, ports) }
    }

    static func hidden<G: GenesetRepository>(_ repository: G, _ ports: CatalogPorts) async throws {
        let genesets = GenesetCatalog(repository: repository)
        let collections = CollectionCatalog(repository: ports.collections)
        let world = try await world(genesets, collections)
        let hiddenIDs = try await genesets.list(limit: 500, cursor: nil, collectionID: world.privateCollection.id, as: alice).items.map(\.id)
        #expect(hiddenIDs.count == 2)

        // Reading, listing, searching.
        await #expect(throws: GenesetError.genesetNotFound(world.secret.id)) { try await genesets.geneset(id: world.secret.id, as: bob) }
        for id in hiddenIDs {
            await #expect(throws: GenesetError.genesetNotFound(id)) { try await genesets.geneset(id: id, as: bob) }
        }
        let bobSees = try await allIDs(genesets, as: bob)
        let everything = try await allIDs(genesets, as: admin)
        #expect(everything.count == 6)
        #expect(Set(bobSees) == Set(everything).subtracting([world.secret.id] + hiddenIDs))
        #expect(try await allIDs(genesets, as: bob, owner: "alice") == [world.shared.id])
        #expect(try await allIDs(genesets, as: bob, visibility: .private) == [world.bobsSet.id])
        #expect(try await allIDs(genesets, as: bob, owner: "alice", visibility: .private) == [])
        #expect(try await genesets.searchTitles("secret", limit: 50, cursor: nil, as: bob).items.isEmpty)
        #expect(try await genesets.searchTitles("HIDDEN", limit: 50, cursor: nil, as: bob).items.isEmpty)
        #expect(try await genesets.list(limit: 50, cursor: nil, gene: "SECRETA1", as: bob).items.isEmpty)
        #expect(try await genesets.list(limit: 50, cursor: nil, collectionID: world.privateCollection.id, as: bob).items.isEmpty)

        // Genes: those of the sets bob may see.
        for gene in ["SECRETA1", "SECRETA2", "SECRETC1", "SECRETC2"] {
            await #expect(throws: GenesetError.geneNotFound(gene)) { try await genesets.gene(named: gene, limit: 50, cursor: nil, as: bob) }
            #expect(try await genesets.searchGenes(gene, limit: 50, as: bob).isEmpty)
            #expect(try await genesets.searchGenes(gene, limit: 50, as: alice).map(\.gene.name).first == gene)
        }
        let tp53 = try await genesets.gene(named: "tp53", limit: 50, cursor: nil, as: bob)
        #expect(tp53.genesets.items.map(\.id) == [1, world.shared.id])
        #expect(try await genesets.gene(named: "tp53", limit: 50, cursor: nil, as: alice).genesets.items.count == 4)
        let bobsGenes = try await genesets.genes(limit: 500, cursor: nil, as: bob).items.map(\.name)
        #expect(Set(bobsGenes) == ["TP53", "EGFR", "BRCA1", "BOBGENE"])
        #expect(try await genesets.genes(limit: 500, cursor: nil, as: admin).items.count == 8)

        // Counts.
        let overview = CatalogOverview(genesets: repository, collections: ports.collections)
        #expect(try await overview.counts(for: bob) == CatalogCounts(genesets: 3, genes: 4, collections: 1))
        #expect(try await overview.counts(for: alice) == CatalogCounts(genesets: 5, genes: 7, collections: 2))
        #expect(try await overview.counts(for: admin) == CatalogCounts(genesets: 6, genes: 8, collections: 2))

        // Collections: read, list, export, import, enrich.
        let hidden = world.privateCollection.id
        await #expect(throws: CollectionError.notFound(hidden)) { try await collections.collection(id: hidden, as: bob) }
        await #expect(throws: CollectionError.notFoundNamed("Alice lab")) {
            try await collections.collection(named: "Alice lab", owner: "alice", as: bob)
        }
        #expect(try await collections.list(limit: 50, cursor: nil, as: bob).items.map(\.id) == [world.publicCollection.id])
        await #expect(throws: CollectionError.notFound(hidden)) { try await collections.exportGMT(of: hidden, as: bob) { _ in } }
        await #expect(throws: CollectionError.notFound(hidden)) {
            try await collections.importGMT(into: hidden, from: WholeFile(bytes: Array("X\tna\tA\n".utf8)), mode: .strict, as: bob)
        }
        let service = EnrichmentService(source: ports.enrichment)
        let query = try EnrichmentQuery(genes: ["SECRETA1", "SECRETC1", "TP53", "BRCA1"])
        await #expect(throws: CollectionError.notFound(hidden)) { try await service.analyse(query, collection: hidden, as: bob) }
        let bobs = try await service.analyse(query, collection: nil, as: bob)
        // N is the genes of the sets bob sees; alice's private genes are unknown to him, not drawn.
        #expect(bobs.backgroundSize == 4)
        #expect(Set(bobs.unmapped) == ["SECRETA1", "SECRETC1"])
        #expect(Set(bobs.terms.map(\.id)).isDisjoint(with: [world.secret.id] + hiddenIDs))
        #expect(bobs.testedSetCount == 2)
        let alices = try await service.analyse(query, collection: nil, as: alice)
        #expect(alices.backgroundSize == 7)
        // HIDDEN_TWO shares no gene with the list, so it is not tested.
        #expect(Set(alices.terms.map(\.id)) == Set([1, world.secret.id, world.shared.id, hiddenIDs[0]]))
        let admins = try await service.analyse(query, collection: hidden, as: admin)
        #expect(admins.terms.map(\.id) == [hiddenIDs[0]])

        // Changing: not found, exactly as for an id that does not exist.
        await #expect(throws: GenesetError.genesetNotFound(world.secret.id)) {
            try await genesets.replace(id: world.secret.id, title: "mine", geneNames: ["A"], as: bob)
        }
        await #expect(throws: GenesetError.genesetNotFound(world.secret.id)) { try await genesets.delete(id: world.secret.id, as: bob) }
        await #expect(throws: CollectionError.notFound(hidden)) { try await collections.delete(id: hidden, as: bob) }
        await #expect(throws: CollectionError.notFound(hidden)) { try await collections.setVisibility(of: hidden, to: .public, as: bob) }
        await #expect(throws: CollectionError.notFound(hidden)) {
            try await genesets.create(title: "into hers", geneNames: ["A"], collectionID: hidden, as: bob)
        }
        await #expect(throws: CollectionError.notFound(hidden)) {
            try await genesets.replace(id: world.bobsSet.id, title: "Bob own", geneNames: ["A"], collectionID: hidden, as: bob)
        }
        #expect(try await genesets.geneset(id: world.secret.id, as: alice) == world.secret)
        #expect(try await collections.collection(id: hidden, as: alice).setCount == 2)
    }

    @Test(arguments: CatalogFactory.all)
    func publicObjectsAreReadButChangedOnlyByTheirOwnerOrAnAdmin(factory: CatalogFactory) async throws {
        try await factory.use { ports in try await Self.publicRules(ports.genesets, ports) }
    }

    static func publicRules<G: GenesetRepository>(_ repository: G, _ ports: CatalogPorts) async throws {
        let genesets = GenesetCatalog(repository: repository)
        let collections = CollectionCatalog(repository: ports.collections)
        let world = try await world(genesets, collections)
        let shared = world.shared.id
        let published = world.publicCollection.id
        #expect(try await genesets.geneset(id: shared, as: bob).owner == "alice")
        await #expect(throws: NotOwnerError(kind: "gene set", id: shared, owner: "alice")) {
            try await genesets.replace(id: shared, title: "taken", geneNames: ["A"], as: bob)
        }
        await #expect(throws: NotOwnerError(kind: "gene set", id: shared, owner: "alice")) { try await genesets.delete(id: shared, as: bob) }
        await #expect(throws: NotOwnerError(kind: "collection", id: published, owner: "alice")) {
            try await collections.delete(id: published, as: bob)
        }
        await #expect(throws: NotOwnerError(kind: "collection", id: published, owner: "alice")) {
            try await genesets.create(title: "into hers", geneNames: ["A"], collectionID: published, as: bob)
        }
        await #expect(throws: NotOwnerError(kind: "collection", id: published, owner: "alice")) {
            try await collections.importGMT(into: published, from: WholeFile(bytes: Array("X\tna\tA\n".utf8)), mode: .strict, as: bob)
        }
        await #expect(throws: NotOwnerError(kind: "collection", id: published, owner: "alice")) {
            try await collections.setVisibility(of: published, to: .private, as: bob)
        }
        // Nothing changed.
        #expect(try await genesets.geneset(id: shared, as: alice) == world.shared)
        #expect(try await collections.collection(id: published, as: bob).setCount == 0)

        // The owner may; a set in a collection takes its owner and visibility, and refuses another visibility.
        let added = try await genesets.create(title: "hers", geneNames: ["A"], collectionID: published, as: alice)
        #expect(added.ownership == Ownership(owner: "alice", visibility: .public))
        await #expect(throws: ValidationError.self) {
            try await genesets.create(title: "odd", geneNames: ["A"], collectionID: published, visibility: .private, as: alice)
        }
        let renamed = try await genesets.replace(id: shared, title: "Alice shared v2", geneNames: ["BRCA1"], visibility: .private, as: alice)
        #expect(renamed.ownership == Ownership(owner: "alice", visibility: .private))
        await #expect(throws: GenesetError.genesetNotFound(shared)) { try await genesets.geneset(id: shared, as: bob) }

        // An admin may change anyone's, and the owner stays.
        let adminEdit = try await genesets.replace(id: world.bobsSet.id, title: "Bob own (fixed)", geneNames: ["BOBGENE"], as: admin)
        #expect(adminEdit.owner == "bob")
        try await genesets.delete(id: shared, as: admin)

        // Publishing a collection publishes its sets; names are per owner.
        let hidden = world.privateCollection.id
        let publishedNow = try await collections.setVisibility(of: hidden, to: .public, as: alice)
        #expect(publishedNow.visibility == .public)
        let setsNow = try await genesets.list(limit: 50, cursor: nil, collectionID: hidden, as: bob).items
        #expect(setsNow.count == 2 && setsNow.allSatisfy { $0.visibility == .public && $0.owner == "alice" })
        let enriched = try await EnrichmentService(source: ports.enrichment).analyse(
            try EnrichmentQuery(genes: ["SECRETC1"]), collection: hidden, as: bob)
        #expect(enriched.terms.map(\.title) == ["HIDDEN_ONE"])
        let bobsLab = try await collections.create(name: "ALICE LAB", as: bob)
        #expect(bobsLab.owner == "bob" && bobsLab.visibility == .private)
        await #expect(throws: CollectionError.nameTaken("alice lab")) { try await collections.create(name: "alice lab", as: bob) }
        var exported: [UInt8] = []
        try await collections.exportGMT(of: hidden, as: bob) { exported += $0 }
        #expect(String(decoding: exported, as: UTF8.self).hasPrefix("HIDDEN_ONE\tna\tSECRETC1\tTP53\n"))
    }

    /// A search whose best matches are all hidden still answers `limit` visible genes, in ranking order (Postgres
    /// checks visibility on the ranked candidates in batches, and asks for more when too few were visible).
    @Test(arguments: CatalogFactory.all)
    func geneSearchSkipsHiddenBestMatchesAndStillFillsThePage(factory: CatalogFactory) async throws {
        try await factory.use { ports in try await Self.searchPast(ports.genesets) }
    }

    static func searchPast<G: GenesetRepository>(_ repository: G) async throws {
        let genesets = GenesetCatalog(repository: repository)
        // Alice's 30 private names rank before the public ones: shorter, so more similar to the query.
        _ = try await genesets.create(title: "hidden", geneNames: (1...30).map { "HIDE\($0)" }, as: alice)
        _ = try await genesets.create(title: "shown", geneNames: (1...5).map { "HIDEPUBLIC\($0)" }, visibility: .public, as: alice)
        let all = try await genesets.searchGenes("HIDE", limit: 40, as: admin).map(\.gene.name)
        #expect(all.prefix(30).allSatisfy { !$0.hasPrefix("HIDEPUBLIC") })
        let bobs = try await genesets.searchGenes("HIDE", limit: 3, as: bob).map(\.gene.name)
        #expect(bobs == Array(all.filter { $0.hasPrefix("HIDEPUBLIC") }.prefix(3)))
        #expect(try await genesets.searchGenes("HIDE", limit: 50, as: bob).count == 5)
    }
}
