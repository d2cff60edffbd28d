/// A gene of the catalog. Its name (symbol) is unique regardless of case.
public struct Gene: Sendable, Hashable, Codable {
    /// Stable identifier assigned by the repository.
    public var id: Int64
    /// The symbol as first stored, e.g. `BRCA1`.
    public var name: String

    /// Creates a gene.
    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

/// How a gene matched a search, best first.
public enum GeneMatchKind: Int, Sendable, Hashable, Codable, Comparable, CaseIterable {
    /// The name equals the query, ignoring case.
    case exact = 0
    /// The name starts with the query.
    case prefix = 1
    /// The name contains the query.
    case substring = 2
    /// The name is similar to the query by trigram similarity.
    case fuzzy = 3

    /// Name used in API responses.
    public var label: String {
        switch self {
        case .exact: "exact"
        case .prefix: "prefix"
        case .substring: "substring"
        case .fuzzy: "fuzzy"
        }
    }

    /// Orders kinds from best to worst match.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One ranked result of a gene search.
public struct GeneMatch: Sendable, Hashable {
    /// The matching gene.
    public var gene: Gene
    /// How it matched.
    public var kind: GeneMatchKind
    /// Trigram similarity of name and query, 0...1 (as Postgres' pg_trgm computes it).
    public var similarity: Float

    /// Creates a match.
    public init(gene: Gene, kind: GeneMatchKind, similarity: Float) {
        self.gene = gene
        self.kind = kind
        self.similarity = similarity
    }
}

/// A gene together with one page of the gene sets it belongs to.
public struct GeneDetail: Sendable {
    /// The gene.
    public var gene: Gene
    /// Gene sets containing the gene, by ascending id.
    public var genesets: Page<GenesetSummary>

    /// Creates a gene detail.
    public init(gene: Gene, genesets: Page<GenesetSummary>) {
        self.gene = gene
        self.genesets = genesets
    }
}
