/// Deterministic synthetic gene sets for load tests and benchmarks (`assay populate genesets`).
///
/// Set `i` always has the same title and genes for the same seed, whatever the batch size.
/// Gene names are drawn from a pool of ``poolSize`` symbols shaped like real ones (`KZTB12`).
public struct SyntheticGenesets: Sendable {
    /// Number of sets to produce.
    public let sets: Int
    /// Genes in each set.
    public let genesPerSet: Int
    /// The seed that fixes the content.
    public let seed: UInt64
    /// Number of distinct gene names the sets draw from.
    public let poolSize: Int

    private static let adjectives = ["Great", "Core", "Early", "Late", "Stress", "Immune", "Cell-cycle", "Metabolic", "Neural", "Hypoxia"]
    private static let nouns = ["Genes", "Response", "Pathway", "Signature", "Module", "Program", "Targets", "Cluster"]

    /// Describes `sets` sets of `genesPerSet` genes each; fails validation outside sane bounds.
    public init(sets: Int, genesPerSet: Int, seed: UInt64) throws(ValidationError) {
        var errors: [FieldError] = []
        if sets < 0 { errors.append(FieldError(field: "sets", reason: "must not be negative")) }
        if !(1...GenesetRules.maximumGenesPerSet).contains(genesPerSet) {
            errors.append(FieldError(field: "genes-per-set", reason: "must be between 1 and \(GenesetRules.maximumGenesPerSet)"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        self.sets = sets
        self.genesPerSet = genesPerSet
        self.seed = seed
        // Enough names that sets overlap realistically, bounded so the catalog stays a catalog.
        self.poolSize = max(genesPerSet * 2, min(sets * genesPerSet / 5, 200_000))
    }

    /// The symbol of pool entry `index`: four letters from the index, then digits, unique per index.
    public static func geneName(_ index: Int) -> String {
        var letters: [Character] = []
        var rest = index
        for _ in 0..<4 {
            letters.append(Character(Unicode.Scalar(UInt8(65 + rest % 26))))
            rest /= 26
        }
        return String(letters) + String(rest * 7 + index % 7)
    }

    /// The set at position `index` (0-based).
    public func draft(at index: Int) -> GenesetDraft? {
        var rng = SplitMix64(seed: seed, stream: UInt64(index))
        let title =
            "\(Self.adjectives[Int(rng.next() % UInt64(Self.adjectives.count))]) "
            + "\(Self.nouns[Int(rng.next() % UInt64(Self.nouns.count))]) #\(index + 1)"
        var chosen = Set<Int>()
        var names: [String] = []
        names.reserveCapacity(genesPerSet)
        while names.count < genesPerSet {
            let pick = Int(rng.next() % UInt64(poolSize))
            if chosen.insert(pick).inserted { names.append(Self.geneName(pick)) }
        }
        return try? GenesetDraft(title: title, geneNames: names)
    }

    /// The drafts for positions `range`.
    public func drafts(_ range: Range<Int>) -> [GenesetDraft] {
        range.compactMap(draft(at:))
    }
}
