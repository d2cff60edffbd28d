public import AssayDomain

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``GenesetRepository`` kept in memory: the embedded default and the reference for the contract suite.
public actor InMemoryGenesetRepository: GenesetRepository {
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

    /// Creates an empty repository.
    public init() {}

    public func create(_ draft: GenesetDraft, at time: Date) -> Geneset {
        register(draft.geneNames)
        let id = nextSetID
        nextSetID += 1
        let geneIDs = draft.geneNames.map(geneID(forName:))
        let stored = StoredSet(id: id, title: draft.title, titleKey: draft.title.lowercased(), geneIDs: geneIDs, createdAt: time, updatedAt: time)
        sets[id] = stored
        setOrder.append(id)
        for geneID in geneIDs { membership[geneID, default: []].append(id) }
        return materialize(stored)
    }

    public func createMany(_ drafts: [GenesetDraft], at time: Date) {
        register(drafts.flatMap(\.geneNames))
        for draft in drafts { _ = create(draft, at: time) }
    }

    public func geneset(id: Int64) -> Geneset? {
        materialize(id)
    }

    public func replace(id: Int64, with draft: GenesetDraft, at time: Date) -> Geneset? {
        guard var stored = sets[id] else { return nil }
        for geneID in stored.geneIDs { membership[geneID]?.removeSorted(id) }
        stored.title = draft.title
        stored.titleKey = draft.title.lowercased()
        register(draft.geneNames)
        stored.geneIDs = draft.geneNames.map(geneID(forName:))
        stored.updatedAt = max(time, stored.createdAt)
        sets[id] = stored
        for geneID in stored.geneIDs { membership[geneID, default: []].insertSorted(id) }
        return materialize(stored)
    }

    public func delete(id: Int64) -> Bool {
        guard let stored = sets.removeValue(forKey: id) else { return false }
        setOrder.removeSorted(id)
        for geneID in stored.geneIDs { membership[geneID]?.removeSorted(id) }
        return true
    }

    public func genesets(matching filter: GenesetFilter, after: Int64?, limit: Int) -> [Geneset] {
        let candidates: [Int64]
        if let name = filter.geneName {
            guard let geneID = geneIDsByKey[GenesetRules.key(forGeneName: name)] else { return [] }
            candidates = membership[geneID] ?? []
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
            if let set = materialize(id) { result.append(set) }
        }
        return result
    }

    public func gene(named name: String, withSetsAfter after: Int64?, limit: Int) -> (gene: Gene, genesets: [GenesetSummary])? {
        guard let gene = geneIDsByKey[GenesetRules.key(forGeneName: name)].flatMap({ genes[$0]?.gene }) else { return nil }
        let ids = membership[gene.id] ?? []
        let start = ids.firstIndex(greaterThan: after ?? 0)
        return (gene, ids[start...].prefix(limit).compactMap { id in sets[id].map { GenesetSummary(id: id, title: $0.title) } })
    }

    public func genes(after: Int64?, limit: Int) -> [Gene] {
        let start = geneOrder.firstIndex(greaterThan: after ?? 0)
        return geneOrder[start...].prefix(limit).compactMap { genes[$0]?.gene }
    }

    public func searchGenes(_ query: GeneSearch.Query, limit: Int) -> [GeneMatch] {
        var matches: [GeneMatch] = []
        for id in geneOrder {
            guard let stored = genes[id], let match = GeneSearch.match(name: stored.gene.name, trigrams: stored.trigrams, query: query) else {
                continue
            }
            matches.append(GeneMatch(gene: stored.gene, kind: match.kind, similarity: match.similarity))
        }
        matches.sort(by: GeneSearch.ranksBefore)
        return Array(matches.prefix(limit))
    }

    public func genesetCount() -> Int {
        sets.count
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
            updatedAt: stored.updatedAt
        )
    }
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
