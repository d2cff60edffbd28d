/// One way a looked-up name matches a gene of the reference: what a ``GeneReferenceStore`` answers, one row per
/// (name key, kind, gene), before the resolution rules of ``GeneResolutionReport`` are applied.
public struct GeneNameMatch: Sendable, Hashable {
    /// Whether the name is the gene's approved symbol or one of its other names.
    public enum Kind: Int, Sendable, Hashable, Comparable {
        /// The name is the gene's approved symbol.
        case approved = 0
        /// The name is an alias or a previous symbol of the gene.
        case alias = 1

        /// Approved before alias.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The name's key (``GeneReferenceRules/key(forName:)``).
    public var key: String
    /// How the name matches.
    public var kind: Kind
    /// The gene's approved symbol.
    public var symbol: String
    /// The gene's Ensembl id.
    public var ensemblID: String

    /// Creates a match.
    public init(key: String, kind: Kind, symbol: String, ensemblID: String) {
        self.key = key
        self.kind = kind
        self.symbol = symbol
        self.ensemblID = ensemblID
    }
}
