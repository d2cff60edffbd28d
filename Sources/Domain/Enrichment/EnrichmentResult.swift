/// The answer to an ``EnrichmentQuery``: the best terms and what was made of the input.
public struct EnrichmentResult: Sendable, Hashable {
    /// The first `limit` tested sets by p-value (by `logP`, so also below 1e-308), then set id.
    public var terms: [EnrichmentTerm]
    /// How many sets were tested (overlap >= 1, size within bounds): the n of the adjusted p-values.
    public var testedSetCount: Int
    /// N: the background's size.
    public var backgroundSize: Int
    /// k: distinct list genes that count as drawn (those in the background; all of them with a numeric one).
    public var listSize: Int
    /// List genes left out of k because the background lacks them, in input order (none with a numeric one).
    public var unmapped: [String]
    /// List genes counted in k that are in no indexed set (only possible with a gene-list or numeric background).
    public var unannotated: [String]
    /// List entries repeating an earlier one ignoring case (they count once).
    public var duplicates: [String]
    /// Background list entries repeating an earlier one ignoring case (they count once).
    public var backgroundDuplicates: Int

    /// Creates a result.
    public init(
        terms: [EnrichmentTerm], testedSetCount: Int, backgroundSize: Int, listSize: Int,
        unmapped: [String], unannotated: [String], duplicates: [String], backgroundDuplicates: Int
    ) {
        self.terms = terms
        self.testedSetCount = testedSetCount
        self.backgroundSize = backgroundSize
        self.listSize = listSize
        self.unmapped = unmapped
        self.unannotated = unannotated
        self.duplicates = duplicates
        self.backgroundDuplicates = backgroundDuplicates
    }
}
