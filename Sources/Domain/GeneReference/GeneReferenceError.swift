/// A gene reference cannot be used or loaded.
public enum GeneReferenceError: Error, Sendable, Hashable {
    /// No reference is loaded for the species, so no name can be resolved (rather than calling every name unknown).
    case notLoaded(Species)
    /// A replacement brought no record for the species; the old reference stays.
    case emptyReference(Species)
    /// A record of another species was given while replacing this species' reference.
    case speciesMismatch(expected: Species, found: Species, ensemblID: String)
    /// The same Ensembl id came with two different approved symbols.
    case conflictingSymbols(ensemblID: String, first: String, second: String)
}
