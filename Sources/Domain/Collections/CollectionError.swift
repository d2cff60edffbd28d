/// Collection failures a client can act on.
public enum CollectionError: Error, Sendable, Hashable {
    /// No collection has this id.
    case notFound(Int64)
    /// No collection has this name.
    case notFoundNamed(String)
    /// Another collection has this name (names are unique ignoring case).
    case nameTaken(String)
    /// The collection already holds a set of this name (set names are unique within a collection, ignoring case).
    case setNameTaken(collection: Int64, name: String)
    /// The collection holds sets of another species than the one asked for (a set's species is its collection's;
    /// an enrichment tests the sets of its list's species).
    case speciesMismatch(collection: Int64, collectionSpecies: Species, species: Species)
    /// A GMT import was refused: the problems found, at most ``GMTImportReport/maximumProblems``, and how many
    /// there were in all. Nothing was imported.
    case importRefused(problems: [GMTProblem], total: Int)
}
