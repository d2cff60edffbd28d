/// Limits and the name key shared by the gene reference, its adapters and resolution.
public enum GeneReferenceRules {
    /// Most names in one resolution request.
    public static let maximumGenesPerRequest = 20_000

    /// The case-insensitive key of a gene name: the same key as the gene catalog's (``GenesetRules/key(forGeneName:)``).
    ///
    /// Adapters store and look names up by this key; Postgres can compute it with `lower(name)` because every name
    /// that can be looked up is ASCII (see ``isQueryable(_:)``).
    public static func key(forName name: String) -> String { GenesetRules.key(forGeneName: name) }

    /// Whether a reference name can ever be looked up: request names must pass ``GenesetDraft/problem(withGeneName:)``.
    ///
    /// Names such as `TrnF tRNA` or `H3/G` are refused in requests, so indexing them would only cost memory.
    public static func isQueryable(_ name: String) -> Bool { GenesetDraft.problem(withGeneName: name) == nil }
}
