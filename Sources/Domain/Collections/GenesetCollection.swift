#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A named group of gene sets, such as an MSigDB collection or an Enrichr library. A set belongs to at most one.
public struct GenesetCollection: Sendable, Hashable {
    /// Stable identifier; ids grow with creation order.
    public var id: Int64
    /// The name, unique among its owner's collections ignoring case.
    public var name: String
    /// Free text, possibly empty.
    public var description: String
    /// When the collection was created.
    public var createdAt: Date
    /// Number of sets in the collection.
    public var setCount: Int
    /// Number of distinct genes over the collection's sets.
    public var geneCount: Int
    /// The species of every set in the collection, chosen when it is created.
    public var species: Species
    /// The user who owns the collection and every set in it.
    public var owner: String
    /// Who may see the collection; its sets have the same visibility.
    public var visibility: Visibility

    /// Creates a collection value.
    public init(
        id: Int64, name: String, description: String, createdAt: Date, setCount: Int = 0, geneCount: Int = 0, species: Species = .human,
        ownership: Ownership = .legacy
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.setCount = setCount
        self.geneCount = geneCount
        self.species = species
        self.owner = ownership.owner
        self.visibility = ownership.visibility
    }

    /// Owner and visibility.
    public var ownership: Ownership { Ownership(owner: owner, visibility: visibility) }
}
