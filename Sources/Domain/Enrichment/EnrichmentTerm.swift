/// One tested gene set in an over-representation result (gseapy's and Enrichr's "term").
public struct EnrichmentTerm: Sendable, Hashable {
    /// The set's id.
    public var id: Int64
    /// The set's title.
    public var title: String
    /// The set's collection, if any.
    public var collectionID: Int64?
    /// Genes of the set within the background (m); gseapy's `Overlap` is `overlap/setSize`.
    public var setSize: Int
    /// List genes in the set (x), at least 1: sets without overlap are not tested.
    public var overlap: Int
    /// The overlapping genes, spelled as in the set, in the set's order.
    public var overlapGenes: [String]
    /// `log P(X >= x)`, finite even where ``p`` underflows to 0.
    public var logP: Double
    /// P(X >= x) for X ~ Hypergeometric(N, m, k).
    public var p: Double
    /// Benjamini–Hochberg adjusted p-value over every tested set, not just the rows returned.
    public var adjustedP: Double
    /// Odds ratio with the Haldane–Anscombe +½ correction (``OddsRatio``).
    public var oddsRatio: Double
    /// `-ln(p) × oddsRatio`, from ``logP`` so that it stays finite when `p` underflows (gseapy then gives `inf`).
    public var combinedScore: Double

    /// Creates a result row.
    public init(
        id: Int64, title: String, collectionID: Int64?, setSize: Int, overlap: Int, overlapGenes: [String],
        logP: Double, p: Double, adjustedP: Double, oddsRatio: Double, combinedScore: Double
    ) {
        self.id = id
        self.title = title
        self.collectionID = collectionID
        self.setSize = setSize
        self.overlap = overlap
        self.overlapGenes = overlapGenes
        self.logP = logP
        self.p = p
        self.adjustedP = adjustedP
        self.oddsRatio = oddsRatio
        self.combinedScore = combinedScore
    }
}
