#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A ``CollectionRepository`` of whichever adapter a configuration chose, for code that holds it as `any
/// CollectionRepository` and needs a concrete type (``CollectionCatalog`` is generic over its repository).
public struct AnyCollectionRepository: CollectionRepository {
    /// The adapter.
    public let base: any CollectionRepository

    /// Wraps an adapter.
    public init(_ base: any CollectionRepository) {
        self.base = base
    }

    public func createCollection(_ draft: CollectionDraft, at time: Date) async throws -> GenesetCollection {
        try await base.createCollection(draft, at: time)
    }

    public func collection(id: Int64) async throws -> GenesetCollection? { try await base.collection(id: id) }

    public func collection(named name: String, owner: String) async throws -> GenesetCollection? {
        try await base.collection(named: name, owner: owner)
    }

    public func collections(after: Int64?, limit: Int, in scope: VisibilityScope) async throws -> [GenesetCollection] {
        try await base.collections(after: after, limit: limit, in: scope)
    }

    public func collectionCount(visibleTo viewer: Viewer) async throws -> Int { try await base.collectionCount(visibleTo: viewer) }

    public func setVisibility(of collectionID: Int64, to visibility: Visibility) async throws -> GenesetCollection? {
        try await base.setVisibility(of: collectionID, to: visibility)
    }

    public func deleteCollection(id: Int64) async throws -> Bool { try await base.deleteCollection(id: id) }

    public func importSets(
        into collectionID: Int64, at time: Date,
        _ produce: @escaping @Sendable (_ write: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws -> Void
    ) async throws {
        try await base.importSets(into: collectionID, at: time, produce)
    }

    public func exportSets(of collectionID: Int64, _ body: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws {
        try await base.exportSets(of: collectionID, body)
    }

    public func exportGMTLines(of collectionID: Int64, _ body: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        try await base.exportGMTLines(of: collectionID, body)
    }
}

/// An ``EnrichmentSource`` of whichever adapter a configuration chose (``EnrichmentService`` is generic over it).
public struct AnyEnrichmentSource: EnrichmentSource {
    /// The adapter.
    public let base: any EnrichmentSource

    /// Wraps an adapter.
    public init(_ base: any EnrichmentSource) {
        self.base = base
    }

    public func catalogVersion() async throws -> Int64 { try await base.catalogVersion() }

    public func enrichmentSets(collection: Int64?, species: Species) async throws -> [EnrichmentGeneset] {
        try await base.enrichmentSets(collection: collection, species: species)
    }

    public func collectionOwnership(id: Int64) async throws -> Ownership? { try await base.collectionOwnership(id: id) }
}
