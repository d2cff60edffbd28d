/// An inverted index from gene to the gene sets that hold it, built once for many analyses.
///
/// An analysis then visits only the memberships of the query's genes, never every set: a list of 300 genes
/// against 30,000 sets touches a few thousand postings. Genes match ignoring case
/// (``GenesetRules/key(forGeneName:)``). The index is an immutable value, safe to share between tasks.
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

    /// Gene key → gene ordinal.
    let geneOrdinals: [String: Int32]
    /// Gene ordinal → its memberships, by ascending set ordinal.
    let postings: [[Posting]]
    /// Set ordinal → the set.
    let entries: [Entry]

    /// Indexes the sets; a gene repeated within a set (ignoring case) counts once, in its first spelling.
    public init(_ sets: some Sequence<EnrichmentGeneset>) {
        var geneOrdinals: [String: Int32] = [:]
        var postings: [[Posting]] = []
        var entries: [Entry] = []
        for set in sets {
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
        self.geneOrdinals = geneOrdinals
        self.postings = postings
        self.entries = entries
    }

    /// Number of indexed sets.
    public var setCount: Int { entries.count }
    /// Number of distinct genes over all sets: the default background's size.
    public var geneCount: Int { postings.count }

    /// The ordinal of a gene by name, ignoring case; `nil` when no set holds it.
    func gene(named name: String) -> Int32? {
        geneOrdinals[GenesetRules.key(forGeneName: name)]
    }
}
