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
    /// Stores a new set, creating missing genes, and returns it with its new id.
    func create(_ draft: GenesetDraft, at time: Date) async throws -> Geneset
    /// Stores many new sets at once (bulk load); ids follow the order of `drafts`.
    func createMany(_ drafts: [GenesetDraft], at time: Date) async throws
    /// The set with this id, or `nil`.
    func geneset(id: Int64) async throws -> Geneset?
    /// Replaces title and genes of an existing set; `nil` when there is no such set.
    func replace(id: Int64, with draft: GenesetDraft, at time: Date) async throws -> Geneset?
    /// Deletes a set (its genes stay in the catalog); `false` when there was no such set.
    func delete(id: Int64) async throws -> Bool
    /// Sets passing `filter` with id greater than `after`, by ascending id, at most `limit`.
    func genesets(matching filter: GenesetFilter, after: Int64?, limit: Int) async throws -> [Geneset]
    /// The gene of this name ignoring case, or `nil`.
    func gene(named name: String) async throws -> Gene?
    /// Genes with id greater than `after`, by ascending id, at most `limit`.
    func genes(after: Int64?, limit: Int) async throws -> [Gene]
    /// Id and title of the sets containing the gene, by ascending id, at most `limit`.
    func genesetSummaries(containingGene geneID: Int64, after: Int64?, limit: Int) async throws -> [GenesetSummary]
    /// The gene of this name ignoring case with the sets containing it, as ``genesetSummaries(containingGene:after:limit:)``
    /// pages them; `nil` when there is no such gene. Adapters may answer in one round trip; the default implementation
    /// makes the two calls.
    func gene(named name: String, withSetsAfter after: Int64?, limit: Int) async throws -> (gene: Gene, genesets: [GenesetSummary])?
    /// Genes matching `query`, ranked by ``GeneSearch``, at most `limit`.
    func searchGenes(_ query: GeneSearch.Query, limit: Int) async throws -> [GeneMatch]
    /// Number of stored gene sets.
    func genesetCount() async throws -> Int
}

extension GenesetRepository {
    /// ``gene(named:)``, then ``genesetSummaries(containingGene:after:limit:)``.
    public func gene(named name: String, withSetsAfter after: Int64?, limit: Int) async throws -> (gene: Gene, genesets: [GenesetSummary])? {
        guard let gene = try await gene(named: name) else { return nil }
        return (gene, try await genesetSummaries(containingGene: gene.id, after: after, limit: limit))
    }
}
