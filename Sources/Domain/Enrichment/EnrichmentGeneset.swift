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

    /// Creates a set to analyse.
    public init(id: Int64, title: String, collectionID: Int64? = nil, geneNames: [String]) {
        self.id = id
        self.title = title
        self.collectionID = collectionID
        self.geneNames = geneNames
    }
}
