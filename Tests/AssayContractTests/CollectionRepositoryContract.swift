import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Synchronization
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// The three ports that share the catalog's tables, over one store.
struct CatalogPorts: Sendable {
    let genesets: any GenesetRepository
    let collections: AnyCollectionRepository
    let enrichment: AnyEnrichmentSource

    init(genesets: any GenesetRepository, collections: any CollectionRepository, enrichment: any EnrichmentSource) {
        self.genesets = genesets
        self.collections = AnyCollectionRepository(collections)
        self.enrichment = AnyEnrichmentSource(enrichment)
    }
}

/// Lends fresh catalog ports of one adapter to a test: every adapter is listed in ``all``.
struct CatalogFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (CatalogPorts) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static let inMemory = CatalogFactory(name: "in-memory") { body in
        let repository = InMemoryGenesetRepository()
        try await body(CatalogPorts(genesets: repository, collections: repository, enrichment: repository))
    }

    static let postgres = CatalogFactory(name: "postgres") { body in
        try await TestDatabase.withFreshSchema { client, logger in
            let gateway = PostgresGateway(client: client, logger: logger)
            try await body(
                CatalogPorts(
                    genesets: PostgresGenesetRepository(database: gateway), collections: PostgresCollectionRepository(database: gateway),
                    enrichment: PostgresEnrichmentSource(database: gateway)))
        }
    }

    static var all: [CatalogFactory] { TestDatabase.url == nil ? [inMemory] : [inMemory, postgres] }
}

/// Bytes in chunks of `size`, as an upload arrives.
private struct Chunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    let size: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var rest: ArraySlice<UInt8>
        let size: Int
        mutating func next() async throws -> [UInt8]? {
            guard !rest.isEmpty else { return nil }
            defer { rest = rest.dropFirst(size) }
            return Array(rest.prefix(size))
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: bytes[...], size: size) }
}

/// The dashboard's catalog counts over two ports (opened from their existentials).
private func counts(_ genesets: some GenesetRepository, _ collections: some CollectionRepository) async throws -> CatalogCounts {
    try await CatalogOverview(genesets: genesets, collections: collections).counts()
}

private func gmt(_ text: String, chunk: Int = 7) -> Chunks { Chunks(bytes: Array(text.utf8), size: chunk) }

/// Everything a catalog exports for a collection, as one file.
private func export(_ catalog: CollectionCatalog<some CollectionRepository>, _ id: Int64) async throws -> String {
    let collected = Collected()
    try await catalog.exportGMT(of: id) { collected.append($0) }
    return String(decoding: collected.bytes, as: UTF8.self)
}

private final class Collected: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func append(_ bytes: [UInt8]) { storage.withLock { $0 += bytes } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}

@Suite("CollectionRepository contract")
struct CollectionRepositoryContract {
    @Test(arguments: CatalogFactory.all)
    func collectionsAreCreatedListedAndNamedUniquelyIgnoringCase(factory: CatalogFactory) async throws {
        try await factory.use { ports in
            let catalog = CollectionCatalog(repository: ports.collections)
            let hallmark = try await catalog.create(name: " Hallmark 2024 ", description: "curated")
            #expect(hallmark.name == "Hallmark 2024" && hallmark.description == "curated")
            #expect(hallmark.setCount == 0 && hallmark.geneCount == 0)
            await #expect(throws: CollectionError.nameTaken("hallmark 2024")) { _ = try await catalog.create(name: "hallmark 2024") }
            let second = try await catalog.create(name: "C2")
            #expect(try await catalog.collection(named: "HALLMARK 2024").id == hallmark.id)
            let first = try await catalog.list(limit: 1, cursor: nil)
            #expect(first.items.map(\.id) == [hallmark.id])
            let rest = try await catalog.list(limit: 1, cursor: first.nextCursor)
            #expect(rest.items.map(\.id) == [second.id] && rest.nextCursor == nil)
            await #expect(throws: CollectionError.notFound(999)) { _ = try await catalog.collection(id: 999) }
            #expect(try await ports.collections.collectionCount() == 2)
        }
    }

    @Test(arguments: CatalogFactory.all)
    func anImportAddsSetsWithDescriptionsCountsAndARoundTripExport(factory: CatalogFactory) async throws {
        try await factory.use { ports in
            let catalog = CollectionCatalog(repository: ports.collections, clock: FixedClock(t0))
            let collection = try await catalog.create(name: "Hallmark")
            let file = "HALLMARK_A\thttp://example.org/a\tTP53\tBRCA1\tMYC\r\n\nHALLMARK_B\t\tMYC\tEGFR\tmyc\nHALLMARK_C\tna\tKRAS\n"
            let report = try await catalog.importGMT(into: collection.id, from: gmt(file), mode: .strict)
            #expect(report.imported == 3 && report.memberships == 6 && report.skipped == 0)
            #expect(report.duplicateGenes.map(\.line) == [3])
            let stored = try await catalog.collection(id: collection.id)
            #expect(stored.setCount == 3 && stored.geneCount == 5)
            let sets = try await ports.genesets.genesets(matching: GenesetFilter(collectionID: collection.id), after: nil, limit: 10)
            #expect(sets.map(\.title) == ["HALLMARK_A", "HALLMARK_B", "HALLMARK_C"])
            #expect(sets.map(\.description) == ["http://example.org/a", "", "na"])
            #expect(sets.allSatisfy { $0.collectionID == collection.id })
            #expect(sets[1].genes.map(\.name) == ["MYC", "EGFR"])

            let exported = try await export(catalog, collection.id)
            #expect(exported == "HALLMARK_A\thttp://example.org/a\tTP53\tBRCA1\tMYC\nHALLMARK_B\t\tMYC\tEGFR\nHALLMARK_C\tna\tKRAS\n")
            // Export, import into another collection, export: the same bytes.
            let copy = try await catalog.create(name: "Copy")
            _ = try await catalog.importGMT(into: copy.id, from: gmt(exported, chunk: 3), mode: .strict)
            #expect(try await export(catalog, copy.id) == exported)
        }
    }

    @Test(arguments: CatalogFactory.all)
    func aStrictImportWithABadLineImportsNothingAndSaysWhere(factory: CatalogFactory) async throws {
        try await factory.use { ports in
            let catalog = CollectionCatalog(repository: ports.collections)
            let collection = try await catalog.create(name: "C")
            // More sets than one batch before the bad line: the batches already written must be rolled back.
            var lines = (1...2_500).map { "SET_\($0)\tdesc\tG\($0)\tSHARED" }
            lines.append("BROKEN\tonly a description")
            lines.append("BAD_GENE\t\tgood\tbad gene")
            let file = lines.joined(separator: "\n") + "\n"
            do {
                _ = try await catalog.importGMT(into: collection.id, from: gmt(file, chunk: 4_096), mode: .strict)
                Issue.record("a strict import with bad lines succeeded")
            } catch CollectionError.importRefused(let problems, let total) {
                #expect(total == 2)
                #expect(problems.map(\.line) == [2_501, 2_502])
                #expect(problems[1].setName == "BAD_GENE")
            }
            #expect(try await catalog.collection(id: collection.id).setCount == 0)
            #expect(try await ports.genesets.genesetCount() == 0)

            let lenient = try await catalog.importGMT(into: collection.id, from: gmt(file, chunk: 4_096), mode: .lenient)
            #expect(lenient.imported == 2_500 && lenient.skipped == 2)
            #expect(try await catalog.collection(id: collection.id).setCount == 2_500)
        }
    }

    @Test(arguments: CatalogFactory.all)
    func setNamesAreUniqueWithinACollectionAndGoWithIt(factory: CatalogFactory) async throws {
        try await factory.use { ports in
            let catalog = CollectionCatalog(repository: ports.collections)
            let collection = try await catalog.create(name: "C")
            _ = try await catalog.importGMT(into: collection.id, from: gmt("ONE\t\tA\tB\n"), mode: .strict)
            await #expect(throws: CollectionError.setNameTaken(collection: collection.id, name: "one")) {
                _ = try await catalog.importGMT(into: collection.id, from: gmt("one\t\tC\n"), mode: .strict)
            }
            await #expect(throws: CollectionError.setNameTaken(collection: collection.id, name: "One")) {
                _ = try await ports.genesets.create(try GenesetDraft(title: "One", geneNames: ["X"], collectionID: collection.id), at: t0)
            }
            await #expect(throws: CollectionError.notFound(9_999)) {
                _ = try await ports.genesets.create(try GenesetDraft(title: "One", geneNames: ["X"], collectionID: 9_999), at: t0)
            }
            let loose = try await ports.genesets.create(try GenesetDraft(title: "One", geneNames: ["X"]), at: t0)
            #expect(loose.collectionID == nil)
            let before = try await counts(ports.genesets, ports.collections)
            #expect(before.genesets == 2 && before.collections == 1 && before.genes >= 3)
            try await catalog.delete(id: collection.id)
            #expect(try await ports.genesets.genesetCount() == 1)
            let after = try await counts(ports.genesets, ports.collections)
            #expect(after.genesets == 1 && after.collections == 0 && after.genes == before.genes)
            #expect(try await ports.collections.collection(id: collection.id) == nil)
            await #expect(throws: CollectionError.notFound(collection.id)) { try await catalog.delete(id: collection.id) }
        }
    }

    @Test(arguments: CatalogFactory.all)
    func theEnrichmentSourceFollowsEveryChange(factory: CatalogFactory) async throws {
        try await factory.use { ports in
            let catalog = CollectionCatalog(repository: ports.collections)
            let collection = try await catalog.create(name: "C")
            let v0 = try await ports.enrichment.catalogVersion()
            _ = try await catalog.importGMT(into: collection.id, from: gmt("A\t\tX\tY\nB\t\tY\tZ\n"), mode: .strict)
            let v1 = try await ports.enrichment.catalogVersion()
            #expect(v1 > v0)
            let loose = try await ports.genesets.create(try GenesetDraft(title: "loose", geneNames: ["Q"]), at: t0)
            let v2 = try await ports.enrichment.catalogVersion()
            #expect(v2 > v1)
            #expect(try await ports.enrichment.enrichmentSets(collection: collection.id, species: .human).map(\.title) == ["A", "B"])
            #expect(try await ports.enrichment.enrichmentSets(collection: nil, species: .human).map(\.title) == ["A", "B", "loose"])
            _ = try await ports.genesets.delete(id: loose.id)
            #expect(try await ports.enrichment.catalogVersion() > v2)
            await #expect(throws: CollectionError.notFound(777)) { _ = try await ports.enrichment.enrichmentSets(collection: 777, species: .human) }

            // The service rebuilds its index after a change, and only then.
            let service = EnrichmentService(source: ports.enrichment)
            let query = try EnrichmentQuery(genes: ["Y", "Z"])
            #expect(try await service.analyse(query, collection: collection.id).terms.map(\.title) == ["B", "A"])
            _ = try await catalog.importGMT(into: collection.id, from: gmt("C\t\tY\tZ\tW\n"), mode: .strict)
            #expect(Set(try await service.analyse(query, collection: collection.id).terms.map(\.title)) == ["A", "B", "C"])
        }
    }
}

/// A clock that always says the same time.
struct FixedClock: WallClock {
    let time: Date
    init(_ time: Date) { self.time = time }
    func now() -> Date { time }
}
