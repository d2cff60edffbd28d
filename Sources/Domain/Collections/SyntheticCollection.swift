/// A deterministic, MSigDB-shaped collection for benchmarks (`assay populate gmt`): set sizes spread log-uniformly
/// from 5 to ``maximumSetSize`` genes like real collections (many small sets, a few large ones), genes drawn from a
/// pool of ``genes`` names with a popularity skew (some genes are in many sets, as TP53 is).
///
/// Set `i` is the same for the same seed whatever else is asked for, so a file can be written in pieces.
public struct SyntheticCollection: Sendable {
    /// Number of sets.
    public let sets: Int
    /// Number of distinct gene names the sets draw from.
    public let genes: Int
    /// The seed that fixes the content.
    public let seed: UInt64
    /// Largest set, in genes.
    public let maximumSetSize: Int

    /// Describes the collection; `sets` of 1 to 1,000,000 and `genes` of 10 to 1,000,000 names.
    public init(sets: Int, genes: Int, seed: UInt64 = 1, maximumSetSize: Int = 520) throws(ValidationError) {
        var errors: [FieldError] = []
        if !(1...1_000_000).contains(sets) { errors.append(FieldError(field: "sets", reason: "must be between 1 and 1000000")) }
        if !(10...1_000_000).contains(genes) { errors.append(FieldError(field: "genes", reason: "must be between 10 and 1000000")) }
        if !(5...GMTRules.maximumGenesPerSet).contains(maximumSetSize) {
            errors.append(FieldError(field: "maximum-set-size", reason: "must be between 5 and \(GMTRules.maximumGenesPerSet)"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        self.sets = sets
        self.genes = genes
        self.seed = seed
        self.maximumSetSize = min(maximumSetSize, genes)
    }

    /// Set `index` (0-based) as a GMT record: name `SYNTH_<index>`, a description, and its genes.
    public func record(_ index: Int) -> GMTRecord {
        var random = SplitMix64(seed: seed, stream: UInt64(index))
        let low = ElementaryMath.log(5)
        let high = ElementaryMath.log(Double(maximumSetSize))
        let size = min(maximumSetSize, max(5, Int(ElementaryMath.exp(low + unit(&random) * (high - low)))))
        var chosen = Set<Int>()
        chosen.reserveCapacity(size)
        while chosen.count < size {
            // u² leans towards the first names of the pool: a few genes are in many sets.
            let u = unit(&random)
            chosen.insert(min(genes - 1, Int(u * u * Double(genes))))
        }
        return GMTRecord(
            line: index + 1, name: "SYNTH_\(index)", description: "synthetic set \(index) (seed \(seed))",
            genes: chosen.sorted().map(SyntheticGenesets.geneName))
    }

    private func unit(_ random: inout SplitMix64) -> Double {
        Double(random.next() >> 11) / Double(1 << 53)
    }
}
