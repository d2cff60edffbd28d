/// Limits on enrichment input.
public enum EnrichmentRules {
    /// Most genes in one query list; far above real lists (Enrichr's are hundreds), low enough to bound a request.
    public static let maximumListGenes = 50_000
    /// Most genes in a background list: a whole genome with aliases fits (speedrichr accepts under 50,000).
    public static let maximumBackgroundGenes = 200_000
    /// Largest background given as a number.
    public static let maximumBackgroundSize = 100_000_000
    /// Default number of result rows.
    public static let defaultLimit = 50
    /// Most result rows; every tested set still counts in the adjusted p-values.
    public static let maximumLimit = 1_000
}
