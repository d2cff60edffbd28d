/// Limits on GMT input.
public enum GMTRules {
    /// Most genes in one imported set. Stored sets are capped at ``GenesetRules/maximumGenesPerSet`` (5,000), but
    /// published collections exceed that (MSigDB C2/C5 hold sets with more genes, and a "whole genome" set has
    /// 20,000-60,000): an import keeps them whole. 100,000 is above any genome's gene count with aliases.
    public static let maximumGenesPerSet = 100_000
    /// Longest line in bytes: a file without line ends is refused after 4 MiB instead of filling memory.
    public static let maximumLineLength = 4 << 20
    /// Problems reported per line; the rest are counted in one last problem.
    public static let maximumProblemsPerLine = 10

    /// Why a trimmed set name is refused, or `nil`: the rules of a gene-set title (``GenesetDraft``).
    public static func problem(withSetName name: String) -> String? {
        if name.isEmpty { return "set name must not be empty" }
        if name.count > GenesetRules.maximumTitleLength {
            return "set name must be at most \(GenesetRules.maximumTitleLength) characters"
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "set name must not contain control characters"
        }
        return nil
    }
}
