#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Storage for genes and gene sets. Every adapter passes the same contract suite.
///
/// Lists are keyset-paginated by ascending id: `after` is the last id already seen, `limit` the most rows
/// to return. Gene names are unique ignoring case; storing a set reuses an existing gene of the same name,
/// and genes new to the catalog get ids in ``GenesetRules/idAssignmentOrder(_:)`` (per call).
public protocol GenesetRepository: Sendable {
    /// Stores a new set, creating missing genes, and returns it with its new id; it gets the draft's ``GenesetDraft/owner``
    /// and ``GenesetDraft/visibility`` (public when `nil`), or in a collection the collection's. A draft naming a collection throws
    /// ``CollectionError/notFound(_:)`` when it does not exist and ``CollectionError/setNameTaken(collection:name:)``
    /// when it holds a set of that title already.
    func create(_ draft: GenesetDraft, at time: Date) async throws -> Geneset
    /// Stores many new sets at once (bulk load); ids follow the order of `drafts`.
    func createMany(_ drafts: [GenesetDraft], at time: Date) async throws
    /// Stores one batch of a bulk load made of several calls, as ``createMany(_:at:)`` does. An adapter may skip looking
    /// up the genes that `load`'s earlier batches stored, and records this batch's genes in it once they are stored.
    func createMany(_ drafts: [GenesetDraft], at time: Date, loading load: BulkLoad) async throws
    /// The set with this id, or `nil`.
    func geneset(id: Int64) async throws -> Geneset?
    /// Replaces title, genes and description of an existing set, and moves it to the draft's collection when it names
    /// one (with ``create(_:at:)``'s collection errors); `nil` when there is no such set. The owner stays; the
    /// visibility becomes the draft's when it names one, and a set in a collection takes the collection's owner and
    /// visibility.
    func replace(id: Int64, with draft: GenesetDraft, at time: Date) async throws -> Geneset?
    /// Deletes a set (its genes stay in the catalog); `false` when there was no such set.
    func delete(id: Int64) async throws -> Bool
    /// Sets passing `filter` with id greater than `after`, by ascending id, at most `limit`.
    func genesets(matching filter: GenesetFilter, after: Int64?, limit: Int) async throws -> [Geneset]
    /// Genes the viewer may see (see ``geneCount(visibleTo:)``) with id greater than `after`, by ascending id, at most
    /// `limit`.
    func genes(after: Int64?, limit: Int, visibleTo viewer: Viewer) async throws -> [Gene]
    /// The gene of this name ignoring case with the id and title of the sets containing it that the viewer may see whose
    /// id is greater than `after`, by ascending id, at most `limit`; `nil` when there is no such gene or the viewer may
    /// see no set holding it.
    func gene(named name: String, withSetsAfter after: Int64?, limit: Int, visibleTo viewer: Viewer) async throws -> (
        gene: Gene, genesets: [GenesetSummary]
    )?
    /// Genes the viewer may see matching `query`, ranked by ``GeneSearch``, at most `limit`.
    func searchGenes(_ query: GeneSearch.Query, limit: Int, visibleTo viewer: Viewer) async throws -> [GeneMatch]
    /// Number of gene sets the viewer may see.
    func genesetCount(visibleTo viewer: Viewer) async throws -> Int
    /// Number of genes the viewer may see: an admin every gene of the catalog (genes stay when their sets are
    /// deleted), anyone else the genes of the sets they may see.
    func geneCount(visibleTo viewer: Viewer) async throws -> Int
    /// The owner and visibility of a collection, or `nil` when there is none with this id.
    func collectionOwnership(id: Int64) async throws -> Ownership?
}

extension GenesetRepository {
    /// Stores the batch with ``createMany(_:at:)``; `load` is not used.
    public func createMany(_ drafts: [GenesetDraft], at time: Date, loading load: BulkLoad) async throws {
        try await createMany(drafts, at: time)
    }

    /// Every gene, as ``Viewer/system`` sees them: for tools and tests that own the whole store.
    public func genes(after: Int64?, limit: Int) async throws -> [Gene] {
        try await genes(after: after, limit: limit, visibleTo: .system)
    }

    /// The gene with every set holding it, as ``Viewer/system`` sees them.
    public func gene(named name: String, withSetsAfter after: Int64?, limit: Int) async throws -> (gene: Gene, genesets: [GenesetSummary])? {
        try await gene(named: name, withSetsAfter: after, limit: limit, visibleTo: .system)
    }

    /// Genes matching `query` among every gene, as ``Viewer/system`` sees them.
    public func searchGenes(_ query: GeneSearch.Query, limit: Int) async throws -> [GeneMatch] {
        try await searchGenes(query, limit: limit, visibleTo: .system)
    }

    /// Number of stored gene sets, whoever owns them.
    public func genesetCount() async throws -> Int { try await genesetCount(visibleTo: .system) }

    /// Number of genes in the catalog, whoever's sets hold them.
    public func geneCount() async throws -> Int { try await geneCount(visibleTo: .system) }
}
