/// How big the catalog is: the first figures of the dashboard.
public struct CatalogCounts: Sendable, Hashable {
    /// Stored gene sets.
    public var genesets: Int
    /// Genes in the catalog (genes stay when their sets are deleted).
    public var genes: Int
    /// Collections.
    public var collections: Int

    /// Creates counts.
    public init(genesets: Int, genes: Int, collections: Int) {
        self.genesets = genesets
        self.genes = genes
        self.collections = collections
    }
}

/// Counts the catalog's sets, genes and collections.
public struct CatalogOverview<Genesets: GenesetRepository, Collections: CollectionRepository>: Sendable {
    private let genesets: Genesets
    private let collections: Collections

    /// Creates the use case over the two ports that share the catalog.
    public init(genesets: Genesets, collections: Collections) {
        self.genesets = genesets
        self.collections = collections
    }

    /// The three counts of what the viewer may see, asked of the store concurrently.
    public func counts(for viewer: Viewer = .system) async throws -> CatalogCounts {
        async let sets = genesets.genesetCount(visibleTo: viewer)
        async let genes = genesets.geneCount(visibleTo: viewer)
        async let collections = collections.collectionCount(visibleTo: viewer)
        return try await CatalogCounts(genesets: sets, genes: genes, collections: collections)
    }
}
