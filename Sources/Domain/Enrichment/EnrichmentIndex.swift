/// An inverted index from gene to the gene sets that hold it, built once for many analyses.
///
/// An analysis then visits only the memberships of the query's genes, never every set: a list of 300 genes
/// against 30,000 sets touches a few thousand postings. Genes match ignoring case
/// (``GenesetRules/key(forGeneName:)``). Each set keeps its owner and visibility, so one index serves every viewer:
/// an analysis skips the sets its viewer may not see. The index is an immutable value, safe to share between tasks.
public struct EnrichmentIndex: Sendable {
    /// One membership of a gene: the set (by ordinal) and the gene's place among the set's distinct members.
    struct Posting: Sendable, Hashable {
        var set: Int32
        var position: Int32
    }

    /// A set's report fields and its distinct members, in the set's order and spelling.
    struct Entry: Sendable {
        var id: Int64
        var title: String
        var collectionID: Int64?
        var memberNames: [String]
        /// Gene ordinals of the members, parallel to `memberNames`.
        var memberGenes: [Int32]
    }

    /// Set ordinal → its owner's ordinal in `ownerOrdinals`.
    let setOwners: [Int32]
    /// Set ordinal → whether every reader may see it.
    let setIsPublic: [Bool]
    /// Owner name → owner ordinal.
    let ownerOrdinals: [String: Int32]
    /// Gene ordinal → whether a public set holds it.
    let geneIsPublic: [Bool]
    /// Number of genes some public set holds.
    let publicGeneCount: Int
    /// Owner ordinal → the genes of the owner's private sets that no public set holds.
    let privateGenes: [Int32: Set<Int32>]

    /// Gene key → gene ordinal.
    let geneOrdinals: [String: Int32]
    /// Gene ordinal → its memberships, by ascending set ordinal.
    let postings: [[Posting]]
    /// Set ordinal → the set.
    let entries: [Entry]
    /// Set ordinal → its number of distinct members. An analysis reads the size of every set it touches (thousands):
    /// from one contiguous array they stay in cache, where each entry's own member array was a cache miss, 36% of a
    /// request's CPU.
    let setSizes: [Int32]
    /// Set ordinal → its id, contiguous for the same reason.
    let setIDs: [Int64]
    /// Set ordinal → `-1` when every reader may see it, else its owner's ordinal: one read to check a posting.
    let setAccess: [Int32]
    /// Whether any set is private. Without one, every viewer sees the whole index and nothing is checked.
    let hasPrivateSets: Bool
    /// Tails computed by earlier analyses of this index.
    let tails = TailMemo()

    /// Indexes the sets; a gene repeated within a set (ignoring case) counts once, in its first spelling.
    public init(_ sets: some Sequence<EnrichmentGeneset>) {
        var geneOrdinals: [String: Int32] = [:]
        var postings: [[Posting]] = []
        var entries: [Entry] = []
        var setOwners: [Int32] = []
        var setIsPublic: [Bool] = []
        var ownerOrdinals: [String: Int32] = [:]
        for set in sets {
            let owner = ownerOrdinals[set.ownership.owner] ?? Int32(ownerOrdinals.count)
            ownerOrdinals[set.ownership.owner] = owner
            setOwners.append(owner)
            setIsPublic.append(set.ownership.visibility == .public)
            let setOrdinal = Int32(entries.count)
            var names: [String] = []
            var genes: [Int32] = []
            var seen = Set<Int32>()
            for name in set.geneNames {
                let key = GenesetRules.key(forGeneName: name)
                let gene: Int32
                if let known = geneOrdinals[key] {
                    gene = known
                } else {
                    gene = Int32(postings.count)
                    geneOrdinals[key] = gene
                    postings.append([])
                }
                guard seen.insert(gene).inserted else { continue }
                postings[Int(gene)].append(Posting(set: setOrdinal, position: Int32(genes.count)))
                names.append(name)
                genes.append(gene)
            }
            entries.append(Entry(id: set.id, title: set.title, collectionID: set.collectionID, memberNames: names, memberGenes: genes))
        }
        var geneIsPublic = [Bool](repeating: false, count: postings.count)
        for (ordinal, entry) in entries.enumerated() where setIsPublic[ordinal] {
            for gene in entry.memberGenes { geneIsPublic[Int(gene)] = true }
        }
        var privateGenes: [Int32: Set<Int32>] = [:]
        for (ordinal, entry) in entries.enumerated() where !setIsPublic[ordinal] {
            for gene in entry.memberGenes where !geneIsPublic[Int(gene)] { privateGenes[setOwners[ordinal], default: []].insert(gene) }
        }
        self.geneOrdinals = geneOrdinals
        self.postings = postings
        self.entries = entries
        self.setSizes = entries.map { Int32($0.memberGenes.count) }
        self.setIDs = entries.map(\.id)
        self.setAccess = zip(setIsPublic, setOwners).map { isPublic, owner in isPublic ? -1 : owner }
        self.hasPrivateSets = setIsPublic.contains(false)
        self.setOwners = setOwners
        self.setIsPublic = setIsPublic
        self.ownerOrdinals = ownerOrdinals
        self.geneIsPublic = geneIsPublic
        self.publicGeneCount = geneIsPublic.reduce(0) { $0 + ($1 ? 1 : 0) }
        self.privateGenes = privateGenes
    }

    /// Number of indexed sets.
    public var setCount: Int { entries.count }
    /// Number of distinct genes over all sets: the default background's size for an admin.
    public var geneCount: Int { postings.count }

    /// Which indexed sets and genes a viewer may see.
    struct Sight {
        /// `nil` when the viewer sees every set (an admin, or an index without private sets); otherwise the viewer's
        /// owner ordinal, `-2` when they own no indexed set.
        let owner: Int32?
        let index: EnrichmentIndex

        /// Whether the viewer may see the set of this ordinal.
        func sees(set ordinal: Int32) -> Bool {
            guard let owner else { return true }
            let access = index.setAccess[Int(ordinal)]
            return access == -1 || access == owner
        }

        /// Whether a set the viewer may see holds the gene of this ordinal.
        func sees(gene ordinal: Int32) -> Bool {
            guard let owner else { return true }
            return index.geneIsPublic[Int(ordinal)] || (index.privateGenes[owner]?.contains(ordinal) ?? false)
        }

        /// Number of genes held by sets the viewer may see.
        var geneCount: Int {
            guard let owner else { return index.geneCount }
            return index.publicGeneCount + (index.privateGenes[owner]?.count ?? 0)
        }
    }

    /// What `viewer` may see of the index.
    func sight(of viewer: Viewer) -> Sight {
        // Without private sets a viewer sees what an admin sees: every set, every gene.
        Sight(owner: viewer.isAdmin || !hasPrivateSets ? nil : ownerOrdinals[viewer.user] ?? -2, index: self)
    }

    /// The ordinal of a gene by name, ignoring case; `nil` when no set holds it.
    func gene(named name: String) -> Int32? {
        geneOrdinals[GenesetRules.key(forGeneName: name)]
    }
}
