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
    /// Stores a new set, creating missing genes, and returns it with its new id. A draft naming a collection throws
    /// ``CollectionError/notFound(_:)`` when it does not exist and ``CollectionError/setNameTaken(collection:name:)``
    /// when it holds a set of that title already.
    func create(_ draft: GenesetDraft, at time: Date) async throws -> Geneset
    /// Stores many new sets at once (bulk load); ids follow the order of `drafts`.
    func createMany(_ drafts: [GenesetDraft], at time: Date) async throws
    /// The set with this id, or `nil`.
    func geneset(id: Int64) async throws -> Geneset?
    /// Replaces title, genes and description of an existing set, and moves it to the draft's collection when it names
    /// one (with ``create(_:at:)``'s collection errors); `nil` when there is no such set.
    func replace(id: Int64, with draft: GenesetDraft, at time: Date) async throws -> Geneset?
    /// Deletes a set (its genes stay in the catalog); `false` when there was no such set.
    func delete(id: Int64) async throws -> Bool
    /// Sets passing `filter` with id greater than `after`, by ascending id, at most `limit`.
    func genesets(matching filter: GenesetFilter, after: Int64?, limit: Int) async throws -> [Geneset]
    /// Genes with id greater than `after`, by ascending id, at most `limit`.
    func genes(after: Int64?, limit: Int) async throws -> [Gene]
    /// The gene of this name ignoring case with the id and title of the sets containing it whose id is greater than
    /// `after`, by ascending id, at most `limit`; `nil` when there is no such gene.
    func gene(named name: String, withSetsAfter after: Int64?, limit: Int) async throws -> (gene: Gene, genesets: [GenesetSummary])?
    /// Genes matching `query`, ranked by ``GeneSearch``, at most `limit`.
    func searchGenes(_ query: GeneSearch.Query, limit: Int) async throws -> [GeneMatch]
    /// Number of stored gene sets.
    func genesetCount() async throws -> Int
    /// Number of genes in the catalog (genes stay when their sets are deleted).
    func geneCount() async throws -> Int
}
