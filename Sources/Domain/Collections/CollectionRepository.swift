#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Storage for collections and the sets they hold. Every adapter passes the same contract suite.
///
/// A collection's sets are gene sets of the ``GenesetRepository`` with ``Geneset/collectionID`` set; deleting the
/// collection deletes them. Set names are unique within a collection ignoring case.
public protocol CollectionRepository: Sendable {
    /// Stores a new, empty collection with the draft's ownership; throws ``CollectionError/nameTaken(_:)`` when its owner
    /// has a collection of that name.
    func createCollection(_ draft: CollectionDraft, at time: Date) async throws -> GenesetCollection
    /// The collection with this id, with its counts, or `nil`.
    func collection(id: Int64) async throws -> GenesetCollection?
    /// The collection of this owner with this name ignoring case, or `nil`.
    func collection(named name: String, owner: String) async throws -> GenesetCollection?
    /// Collections in `scope` with id greater than `after`, by ascending id, at most `limit`, with their counts.
    func collections(after: Int64?, limit: Int, in scope: VisibilityScope) async throws -> [GenesetCollection]
    /// Number of collections the viewer may see.
    func collectionCount(visibleTo viewer: Viewer) async throws -> Int
    /// Changes the visibility of a collection and of every set in it, in one step; `nil` when there is no such collection.
    func setVisibility(of collectionID: Int64, to visibility: Visibility) async throws -> GenesetCollection?
    /// Deletes a collection and its sets in one step; `false` when there was no such collection.
    func deleteCollection(id: Int64) async throws -> Bool
    /// Adds the sets that `produce` writes to the collection, atomically: readers see all of them or none, and
    /// none are stored when `produce` throws (its error is rethrown). `write` may be called any number of times,
    /// each with a batch. The sets get the collection's owner and visibility. Throws ``CollectionError/notFound(_:)`` for an unknown collection and
    /// ``CollectionError/setNameTaken(collection:name:)`` when a name is in the collection already.
    func importSets(
        into collectionID: Int64, at time: Date,
        _ produce: @escaping @Sendable (_ write: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws -> Void
    ) async throws
    /// Hands the collection's sets to `body` in ascending id order, as GMT records (line numbers are positions),
    /// in batches, without holding them all; throws ``CollectionError/notFound(_:)`` for an unknown collection.
    func exportSets(of collectionID: Int64, _ body: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws
    /// Hands the collection to `body` as GMT text in ascending set id order, in pieces of whole lines, byte for byte
    /// what ``GMTWriter`` writes for ``exportSets(of:_:)``'s records; throws ``CollectionError/notFound(_:)`` for an
    /// unknown collection. The default formats those records; an adapter may write the lines from its own storage.
    func exportGMTLines(of collectionID: Int64, _ body: @escaping @Sendable ([UInt8]) async throws -> Void) async throws
}

extension CollectionRepository {
    /// The admin's collection of this name ignoring case, or `nil`.
    public func collection(named name: String) async throws -> GenesetCollection? {
        try await collection(named: name, owner: UserName.admin)
    }

    /// Every collection with id greater than `after`, whoever owns it, by ascending id, at most `limit`.
    public func collections(after: Int64?, limit: Int) async throws -> [GenesetCollection] {
        try await collections(after: after, limit: limit, in: VisibilityScope())
    }

    /// Number of collections, whoever owns them.
    public func collectionCount() async throws -> Int { try await collectionCount(visibleTo: .system) }

    /// The GMT lines of ``exportSets(of:_:)``'s records, one piece per batch.
    public func exportGMTLines(of collectionID: Int64, _ body: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        try await exportSets(of: collectionID) { records in
            var bytes: [UInt8] = []
            for record in records { GMTWriter.append(record, to: &bytes) }
            try await body(bytes)
        }
    }
}
