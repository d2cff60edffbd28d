#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A titled set of genes. One gene can belong to many sets.
public struct Geneset: Sendable, Hashable {
    /// Stable identifier assigned by the repository; ids grow with creation order.
    public var id: Int64
    /// The title, trimmed, 1...``GenesetRules/maximumTitleLength`` characters.
    public var title: String
    /// Member genes in the order they were given.
    public var genes: [Gene]
    /// When the set was created.
    public var createdAt: Date
    /// When the set was last replaced (equal to `createdAt` until then).
    public var updatedAt: Date
    /// Free text, such as a GMT file's description column, or `nil`.
    public var description: String?
    /// The collection the set belongs to, or `nil`.
    public var collectionID: Int64?
    /// The species whose genes the set names; a set in a collection has the collection's.
    public var species: Species
    /// The user who owns the set; a set in a collection has the collection's owner.
    public var owner: String
    /// Who may see the set; a set in a collection has the collection's visibility.
    public var visibility: Visibility

    /// Creates a gene set.
    public init(
        id: Int64, title: String, genes: [Gene], createdAt: Date, updatedAt: Date, description: String? = nil, collectionID: Int64? = nil,
        species: Species = .human, ownership: Ownership = .legacy
    ) {
        self.id = id
        self.title = title
        self.genes = genes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.description = description
        self.collectionID = collectionID
        self.species = species
        self.owner = ownership.owner
        self.visibility = ownership.visibility
    }

    /// Owner and visibility.
    public var ownership: Ownership { Ownership(owner: owner, visibility: visibility) }

    /// The id and title only.
    public var summary: GenesetSummary { GenesetSummary(id: id, title: title) }
}

/// A gene set's id and title, as listed for a gene.
public struct GenesetSummary: Sendable, Hashable, Codable {
    /// The set's id.
    public var id: Int64
    /// The set's title.
    public var title: String

    /// Creates a summary.
    public init(id: Int64, title: String) {
        self.id = id
        self.title = title
    }
}

/// Which gene sets a list returns.
public struct GenesetFilter: Sendable, Hashable {
    /// Only sets whose title contains this text, ignoring case; matched literally.
    public var titleContains: String?
    /// Only sets containing the gene of this name, ignoring case.
    public var geneName: String?
    /// Only sets of this collection.
    public var collectionID: Int64?
    /// Only sets the scope's viewer may see, of its owner and visibility when it names them.
    public var scope: VisibilityScope

    /// Creates a filter; `nil` fields do not filter, and the default scope is every set.
    public init(titleContains: String? = nil, geneName: String? = nil, collectionID: Int64? = nil, scope: VisibilityScope = VisibilityScope()) {
        self.titleContains = titleContains
        self.geneName = geneName
        self.collectionID = collectionID
        self.scope = scope
    }
}
