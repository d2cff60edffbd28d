/// Where an enrichment analysis gets the sets it tests. Every adapter passes the same contract suite.
public protocol EnrichmentSource: Sendable {
    /// A number that grows whenever a gene set is created, replaced or deleted. A change made before this call
    /// returns shows in ``enrichmentSets(collection:species:)`` called after it, so an index built after reading a version
    /// is never older than that version.
    func catalogVersion() async throws -> Int64
    /// Every set of `species` in the collection with its genes, or in the catalog when `collection` is `nil`; throws
    /// ``CollectionError/notFound(_:)`` for an unknown collection and
    /// ``CollectionError/speciesMismatch(collection:collectionSpecies:species:)`` for a collection of another species.
    func enrichmentSets(collection: Int64?, species: Species) async throws -> [EnrichmentGeneset]
    /// The owner and visibility of a collection, or `nil` when there is none with this id.
    func collectionOwnership(id: Int64) async throws -> Ownership?
}
