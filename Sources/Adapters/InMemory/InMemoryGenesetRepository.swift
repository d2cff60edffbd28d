public import AssayDomain
import Synchronization

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``GenesetRepository``, ``CollectionRepository`` and ``EnrichmentSource`` kept in memory: the embedded default and the
/// reference for the contract suites. One actor holds sets and collections, so an import is one atomic step.
public actor InMemoryGenesetRepository: GenesetRepository, CollectionRepository, EnrichmentSource {
    private struct StoredGene {
        let gene: Gene
        let trigrams: Trigrams
    }

    private struct StoredSet {
        let id: Int64
        var title: String
        var titleKey: String
        var geneIDs: [Int64]
        let createdAt: Date
        var updatedAt: Date
        var description: String?
        var collectionID: Int64?
        var species: Species
        var ownership: Ownership
    }

    private struct StoredCollection {
        let id: Int64
        let name: String
        let description: String
        let createdAt: Date
        let species: Species
        var ownership: Ownership
        /// Set ids, ascending.
        var setIDs: [Int64] = []
        /// Set ids by title key.
        var setsByTitle: [String: Int64] = [:]
        /// For each gene of the collection, the number of its sets containing it.
        var genes: [Int64: Int] = [:]
    }

    private var genes: [Int64: StoredGene] = [:]
    private var geneIDsByKey: [String: Int64] = [:]
    /// Gene ids in ascending order (genes are never removed).
    private var geneOrder: [Int64] = []
    private var sets: [Int64: StoredSet] = [:]
    /// Set ids in ascending order.
    private var setOrder: [Int64] = []
    /// For each gene, the ids of the sets containing it, ascending.
    private var membership: [Int64: [Int64]] = [:]
    private var nextGeneID: Int64 = 1
    private var nextSetID: Int64 = 1
    private var collections: [Int64: StoredCollection] = [:]
    /// Collection ids by owner and name key (names are unique per owner).
    private var collectionIDsByKey: [CollectionKey: Int64] = [:]
    private var nextCollectionID: Int64 = 1
    /// Grows with every change of a set.
    private var version: Int64 = 0

    /// Creates an empty repository.
    public init() {}

    public func create(_ draft: GenesetDraft, at time: Date) throws -> Geneset {
        let (species, ownership) = try placement(of: draft)
        return insert(draft, species: species, ownership: ownership, at: time)
    }

    public func createMany(_ drafts: [GenesetDraft], at time: Date) throws {
        let placements = try drafts.map(placement(of:))
        register(drafts.flatMap(\.geneNames))
        for (draft, (species, ownership)) in zip(drafts, placements) { _ = insert(draft, species: species, ownership: ownership, at: time) }
    }

    public func geneset(id: Int64) -> Geneset? {
        materialize(id)
    }

    public func replace(id: Int64, with draft: GenesetDraft, at time: Date) throws -> Geneset? {
        guard var stored = sets[id] else { return nil }
        let collectionID = draft.collectionID ?? stored.collectionID
        let species =
            if let collectionID { try checkRoom(for: draft.title, in: collectionID, replacing: id, species: draft.species) } else {
                draft.species ?? stored.species
            }
        leave(stored)
        for geneID in stored.geneIDs { membership[geneID]?.removeSorted(id) }
        stored.title = draft.title
        stored.titleKey = draft.title.lowercased()
        register(draft.geneNames)
        stored.geneIDs = draft.geneNames.map(geneID(forName:))
        stored.updatedAt = max(time, stored.createdAt)
        stored.description = draft.description
        stored.collectionID = collectionID
        stored.species = species
        if let collectionID, let collection = collections[collectionID] {
            stored.ownership = collection.ownership
        } else if let visibility = draft.visibility {
            stored.ownership.visibility = visibility
        }
        sets[id] = stored
        for geneID in stored.geneIDs { membership[geneID, default: []].insertSorted(id) }
        join(stored)
        version += 1
        return materialize(stored)
    }

    public func delete(id: Int64) -> Bool {
        guard let stored = sets.removeValue(forKey: id) else { return false }
        setOrder.removeSorted(id)
        for geneID in stored.geneIDs { membership[geneID]?.removeSorted(id) }
        leave(stored)
        version += 1
        return true
    }

    public func genesets(matching filter: GenesetFilter, after: Int64?, limit: Int) -> [Geneset] {
        let candidates: [Int64]
        if let name = filter.geneName {
            guard let geneID = geneIDsByKey[GenesetRules.key(forGeneName: name)] else { return [] }
            candidates = membership[geneID] ?? []
        } else if let collectionID = filter.collectionID {
            candidates = collections[collectionID]?.setIDs ?? []
        } else {
            candidates = setOrder
        }
        let titleKey = filter.titleContains?.lowercased()
        var result: [Geneset] = []
        var index = candidates.firstIndex(greaterThan: after ?? 0)
        while index < candidates.count, result.count < limit {
            let id = candidates[index]
            index += 1
            if let titleKey, let stored = sets[id], !stored.titleKey.contains(titleKey) { continue }
            if let collectionID = filter.collectionID, sets[id]?.collectionID != collectionID { continue }
            if let stored = sets[id], !filter.scope.contains(stored.ownership) { continue }
            if let set = materialize(id) { result.append(set) }
        }
        return result
    }

    public func gene(named name: String, withSetsAfter after: Int64?, limit: Int, visibleTo viewer: Viewer) -> (
        gene: Gene, genesets: [GenesetSummary]
    )? {
        guard let gene = geneIDsByKey[GenesetRules.key(forGeneName: name)].flatMap({ genes[$0]?.gene }), sees(gene: gene.id, viewer) else {
            return nil
        }
        let ids = (membership[gene.id] ?? []).filter { sets[$0].map { viewer.canSee($0.ownership) } ?? false }
        let start = ids.firstIndex(greaterThan: after ?? 0)
        return (gene, ids[start...].prefix(limit).compactMap { id in sets[id].map { GenesetSummary(id: id, title: $0.title) } })
    }

    public func genes(after: Int64?, limit: Int, visibleTo viewer: Viewer) -> [Gene] {
        let start = geneOrder.firstIndex(greaterThan: after ?? 0)
        return geneOrder[start...].lazy.filter { self.sees(gene: $0, viewer) }.prefix(limit).compactMap { self.genes[$0]?.gene }
    }

    public func searchGenes(_ query: GeneSearch.Query, limit: Int, visibleTo viewer: Viewer) -> [GeneMatch] {
        var matches: [GeneMatch] = []
        for id in geneOrder where sees(gene: id, viewer) {
            guard let stored = genes[id], let match = GeneSearch.match(name: stored.gene.name, trigrams: stored.trigrams, query: query) else {
                continue
            }
            matches.append(GeneMatch(gene: stored.gene, kind: match.kind, similarity: match.similarity))
        }
        matches.sort(by: GeneSearch.ranksBefore)
        return Array(matches.prefix(limit))
    }

    public func genesetCount(visibleTo viewer: Viewer) -> Int {
        viewer.isAdmin ? sets.count : sets.values.reduce(0) { $0 + (viewer.canSee($1.ownership) ? 1 : 0) }
    }

    public func geneCount(visibleTo viewer: Viewer) -> Int {
        viewer.isAdmin ? genes.count : geneOrder.reduce(0) { $0 + (sees(gene: $1, viewer) ? 1 : 0) }
    }

    public func collectionOwnership(id: Int64) -> Ownership? {
        collections[id]?.ownership
    }

    /// Whether the viewer may see the gene: admins every gene, anyone else the genes of the sets they may see.
    private func sees(gene id: Int64, _ viewer: Viewer) -> Bool {
        viewer.isAdmin || (membership[id] ?? []).contains { sets[$0].map { viewer.canSee($0.ownership) } ?? false }
    }

    // MARK: - Collections

    public func createCollection(_ draft: CollectionDraft, at time: Date) throws -> GenesetCollection {
        let key = CollectionKey(owner: draft.ownership.owner, name: draft.name)
        guard collectionIDsByKey[key] == nil else { throw CollectionError.nameTaken(draft.name) }
        let id = nextCollectionID
        nextCollectionID += 1
        collections[id] = StoredCollection(
            id: id, name: draft.name, description: draft.description, createdAt: time, species: draft.species, ownership: draft.ownership)
        collectionIDsByKey[key] = id
        return GenesetCollection(
            id: id, name: draft.name, description: draft.description, createdAt: time, species: draft.species, ownership: draft.ownership)
    }

    public func collection(id: Int64) -> GenesetCollection? {
        collections[id] == nil ? nil : summary(of: id)
    }

    public func collection(named name: String, owner: String) -> GenesetCollection? {
        collectionIDsByKey[CollectionKey(owner: owner, name: name)].flatMap(summary(of:))
    }

    public func collections(after: Int64?, limit: Int, in scope: VisibilityScope) -> [GenesetCollection] {
        collections.values.filter { $0.id > (after ?? 0) && scope.contains($0.ownership) }.map(\.id).sorted().prefix(limit)
            .compactMap(summary(of:))
    }

    public func collectionCount(visibleTo viewer: Viewer) -> Int {
        collections.values.reduce(0) { $0 + (viewer.canSee($1.ownership) ? 1 : 0) }
    }

    public func setVisibility(of collectionID: Int64, to visibility: Visibility) -> GenesetCollection? {
        guard var collection = collections[collectionID] else { return nil }
        collection.ownership.visibility = visibility
        collections[collectionID] = collection
        for setID in collection.setIDs { sets[setID]?.ownership = collection.ownership }
        version += 1
        return summary(of: collectionID)
    }

    public func deleteCollection(id: Int64) -> Bool {
        guard let stored = collections.removeValue(forKey: id) else { return false }
        collectionIDsByKey[CollectionKey(owner: stored.ownership.owner, name: stored.name)] = nil
        for setID in stored.setIDs {
            guard let set = sets.removeValue(forKey: setID) else { continue }
            setOrder.removeSorted(setID)
            for geneID in set.geneIDs { membership[geneID]?.removeSorted(setID) }
        }
        version += 1
        return true
    }

    /// Collects every batch first and stores them in one actor step, so readers never see part of an import.
    public func importSets(
        into collectionID: Int64, at time: Date,
        _ produce: @escaping @Sendable (_ write: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws -> Void
    ) async throws {
        guard collections[collectionID] != nil else { throw CollectionError.notFound(collectionID) }
        let staged = Staged()
        try await produce { batch in staged.append(batch) }
        let records = staged.records
        guard let collection = collections[collectionID] else { throw CollectionError.notFound(collectionID) }
        var names = Set(collection.setsByTitle.keys)
        for record in records where !names.insert(record.name.lowercased()).inserted {
            throw CollectionError.setNameTaken(collection: collectionID, name: record.name)
        }
        let drafts = records.map { GenesetDraft(importing: $0, into: collectionID) }
        register(drafts.flatMap(\.geneNames))
        for draft in drafts { _ = insert(draft, species: collection.species, ownership: collection.ownership, at: time) }
    }

    public func exportSets(of collectionID: Int64, _ body: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws {
        guard let collection = collections[collectionID] else { throw CollectionError.notFound(collectionID) }
        let records = collection.setIDs.enumerated().compactMap { position, id -> GMTRecord? in
            guard let set = sets[id] else { return nil }
            return GMTRecord(
                line: position + 1, name: set.title, description: set.description ?? "",
                genes: set.geneIDs.compactMap { genes[$0]?.gene.name })
        }
        for start in stride(from: 0, to: records.count, by: 1_000) {
            try await body(Array(records[start..<min(start + 1_000, records.count)]))
        }
    }

    // MARK: - Enrichment

    public func catalogVersion() -> Int64 { version }

    public func enrichmentSets(collection collectionID: Int64?, species: Species) throws -> [EnrichmentGeneset] {
        let ids: [Int64]
        if let collectionID {
            guard let collection = collections[collectionID] else { throw CollectionError.notFound(collectionID) }
            guard collection.species == species else {
                throw CollectionError.speciesMismatch(collection: collectionID, collectionSpecies: collection.species, species: species)
            }
            ids = collection.setIDs
        } else {
            ids = setOrder
        }
        return ids.compactMap { id in
            sets[id].flatMap { set in
                guard set.species == species else { return nil }
                return EnrichmentGeneset(
                    id: id, title: set.title, collectionID: set.collectionID, geneNames: set.geneIDs.compactMap { genes[$0]?.gene.name },
                    ownership: set.ownership)
            }
        }
    }

    // MARK: - Helpers

    /// Stores a set whose collection was checked, with the species and ownership that check gave.
    private func insert(_ draft: GenesetDraft, species: Species, ownership: Ownership, at time: Date) -> Geneset {
        register(draft.geneNames)
        let id = nextSetID
        nextSetID += 1
        let geneIDs = draft.geneNames.map(geneID(forName:))
        let stored = StoredSet(
            id: id, title: draft.title, titleKey: draft.title.lowercased(), geneIDs: geneIDs, createdAt: time, updatedAt: time,
            description: draft.description, collectionID: draft.collectionID, species: species, ownership: ownership)
        sets[id] = stored
        setOrder.append(id)
        for geneID in geneIDs { membership[geneID, default: []].append(id) }
        join(stored)
        version += 1
        return materialize(stored)
    }

    /// The species and ownership a new set gets: its collection's (checked with
    /// ``checkRoom(for:in:replacing:species:)``), else the draft's (species human and visibility public when it names none).
    private func placement(of draft: GenesetDraft) throws -> (Species, Ownership) {
        guard let collectionID = draft.collectionID else {
            return (draft.species ?? .human, Ownership(owner: draft.owner, visibility: draft.visibility ?? .public))
        }
        let species = try checkRoom(for: draft.title, in: collectionID, replacing: nil, species: draft.species)
        return (species, collections[collectionID]?.ownership ?? .legacy)
    }

    /// Throws unless the collection exists, has no other set of this title, and holds `species` (when given);
    /// returns the collection's species.
    private func checkRoom(for title: String, in collectionID: Int64, replacing setID: Int64?, species: Species?) throws -> Species {
        guard let collection = collections[collectionID] else { throw CollectionError.notFound(collectionID) }
        if let species, species != collection.species {
            throw CollectionError.speciesMismatch(collection: collectionID, collectionSpecies: collection.species, species: species)
        }
        if let holder = collection.setsByTitle[title.lowercased()], holder != setID {
            throw CollectionError.setNameTaken(collection: collectionID, name: title)
        }
        return collection.species
    }

    /// Adds a stored set to its collection's indexes.
    private func join(_ set: StoredSet) {
        guard let collectionID = set.collectionID, var collection = collections[collectionID] else { return }
        collection.setIDs.insertSorted(set.id)
        collection.setsByTitle[set.titleKey] = set.id
        for geneID in set.geneIDs { collection.genes[geneID, default: 0] += 1 }
        collections[collectionID] = collection
    }

    /// Removes a stored set from its collection's indexes.
    private func leave(_ set: StoredSet) {
        guard let collectionID = set.collectionID, var collection = collections[collectionID] else { return }
        collection.setIDs.removeSorted(set.id)
        if collection.setsByTitle[set.titleKey] == set.id { collection.setsByTitle[set.titleKey] = nil }
        for geneID in set.geneIDs {
            let left = (collection.genes[geneID] ?? 1) - 1
            collection.genes[geneID] = left > 0 ? left : nil
        }
        collections[collectionID] = collection
    }

    private func summary(of id: Int64) -> GenesetCollection? {
        collections[id].map { stored in
            GenesetCollection(
                id: stored.id, name: stored.name, description: stored.description, createdAt: stored.createdAt,
                setCount: stored.setIDs.count, geneCount: stored.genes.count, species: stored.species, ownership: stored.ownership)
        }
    }

    /// Gives genes new to the catalog their ids, in the order every adapter uses.
    private func register(_ names: [String]) {
        let new = names.filter { geneIDsByKey[GenesetRules.key(forGeneName: $0)] == nil }
        var seen = Set<String>()
        for name in GenesetRules.idAssignmentOrder(new) where seen.insert(GenesetRules.key(forGeneName: name)).inserted {
            _ = geneID(forName: name)
        }
    }

    private func geneID(forName name: String) -> Int64 {
        let key = GenesetRules.key(forGeneName: name)
        if let id = geneIDsByKey[key] { return id }
        let id = nextGeneID
        nextGeneID += 1
        genes[id] = StoredGene(gene: Gene(id: id, name: name), trigrams: Trigrams(name))
        geneIDsByKey[key] = id
        geneOrder.append(id)
        return id
    }

    private func materialize(_ id: Int64) -> Geneset? {
        sets[id].map(materialize)
    }

    private func materialize(_ stored: StoredSet) -> Geneset {
        Geneset(
            id: stored.id,
            title: stored.title,
            genes: stored.geneIDs.compactMap { genes[$0]?.gene },
            createdAt: stored.createdAt,
            updatedAt: stored.updatedAt,
            description: stored.description,
            collectionID: stored.collectionID,
            species: stored.species,
            ownership: stored.ownership
        )
    }
}

/// A collection's owner and name ignoring case: names are unique per owner.
private struct CollectionKey: Hashable {
    let owner: String
    let name: String

    init(owner: String, name: String) {
        self.owner = owner
        self.name = CollectionRules.key(forName: name)
    }
}

/// Batches an import hands over, kept until the import is stored.
private final class Staged: Sendable {
    private let batches = Mutex<[GMTRecord]>([])

    func append(_ batch: [GMTRecord]) { batches.withLock { $0 += batch } }

    var records: [GMTRecord] { batches.withLock { $0 } }
}

extension Array where Element == Int64 {
    /// Index of the first element greater than `value` in an ascending array.
    func firstIndex(greaterThan value: Int64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Inserts `value` keeping the array ascending and free of duplicates.
    mutating func insertSorted(_ value: Int64) {
        let index = firstIndex(greaterThan: value)
        if index > 0, self[index - 1] == value { return }
        insert(value, at: index)
    }

    /// Removes `value` from an ascending array, if present.
    mutating func removeSorted(_ value: Int64) {
        let index = firstIndex(greaterThan: value)
        if index > 0, self[index - 1] == value { remove(at: index - 1) }
    }
}
