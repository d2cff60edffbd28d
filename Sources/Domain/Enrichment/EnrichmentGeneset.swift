/// A gene set as the enrichment analysis sees it: what it reports and which genes it holds.
public struct EnrichmentGeneset: Sendable, Hashable {
    /// The set's id; results are ordered by it after the p-value.
    public var id: Int64
    /// The set's title, reported with its result.
    public var title: String
    /// The collection the set belongs to, if any.
    public var collectionID: Int64?
    /// Member genes as stored; names that repeat ignoring case count once.
    public var geneNames: [String]
    /// Who owns the set and who may see it: an analysis tests only the sets its viewer may see.
    public var ownership: Ownership

    /// Creates a set to analyse.
    public init(id: Int64, title: String, collectionID: Int64? = nil, geneNames: [String], ownership: Ownership = .legacy) {
        self.ownership = ownership
        self.id = id
        self.title = title
        self.collectionID = collectionID
        self.geneNames = geneNames
    }
}
