#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The gene-catalog use cases: validation, paging and not-found rules over a ``GenesetRepository``.
public struct GenesetCatalog<Repository: GenesetRepository>: Sendable {
    /// Cursor kind of gene-set lists.
    public static var genesetCursorKind: String { "genesets" }
    /// Cursor kind of gene lists.
    public static var geneCursorKind: String { "genes" }

    /// The storage port.
    public let repository: Repository
    /// Source of timestamps.
    public let clock: any WallClock

    /// Creates the catalog over a repository and a clock.
    public init(repository: Repository, clock: any WallClock = SystemClock()) {
        self.repository = repository
        self.clock = clock
    }

    /// Validates and stores a new set, in a collection when one is given (its set names are unique ignoring case).
    /// `species` defaults to the collection's, else human (see ``GenesetDraft/species``).
    public func create(
        title: String, geneNames: [String], description: String? = nil, collectionID: Int64? = nil, species: Species? = nil
    ) async throws -> Geneset {
        let draft = try GenesetDraft(
            title: title, geneNames: geneNames, description: description, collectionID: collectionID, species: species)
        return try await repository.create(draft, at: clock.now())
    }

    /// The set with this id; throws ``GenesetError/genesetNotFound(_:)`` when missing.
    public func geneset(id: Int64) async throws -> Geneset {
        guard let set = try await repository.geneset(id: id) else { throw GenesetError.genesetNotFound(id) }
        return set
    }

    /// Validates and replaces title, genes and description of an existing set; with `collectionID` it moves there.
    public func replace(
        id: Int64, title: String, geneNames: [String], description: String? = nil, collectionID: Int64? = nil, species: Species? = nil
    ) async throws -> Geneset {
        let draft = try GenesetDraft(
            title: title, geneNames: geneNames, description: description, collectionID: collectionID, species: species)
        guard let set = try await repository.replace(id: id, with: draft, at: clock.now()) else {
            throw GenesetError.genesetNotFound(id)
        }
        return set
    }

    /// Deletes a set; throws ``GenesetError/genesetNotFound(_:)`` when missing.
    public func delete(id: Int64) async throws {
        guard try await repository.delete(id: id) else { throw GenesetError.genesetNotFound(id) }
    }

    /// One page of sets, optionally filtered by title text, by member gene and by collection.
    public func list(
        limit: Int?, cursor: String?, titleContains: String? = nil, gene: String? = nil, collectionID: Int64? = nil
    ) async throws -> Page<Geneset> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.genesetCursorKind)
        let filter = GenesetFilter(
            titleContains: try Self.pattern(titleContains, field: "q"),
            geneName: try Self.pattern(gene, field: "gene"),
            collectionID: collectionID
        )
        let fetched = try await repository.genesets(matching: filter, after: page.afterID, limit: page.limit + 1)
        return Page(fetched: fetched, limit: page.limit, kind: Self.genesetCursorKind) { $0.id }
    }

    /// Sets whose title contains `pattern`, ignoring case, taking the pattern literally.
    public func searchTitles(_ pattern: String, limit: Int?, cursor: String?) async throws -> Page<Geneset> {
        let text = try GeneSearch.Query(pattern, field: "pattern").text
        return try await list(limit: limit, cursor: cursor, titleContains: text)
    }

    /// One page of genes by ascending id.
    public func genes(limit: Int?, cursor: String?) async throws -> Page<Gene> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.geneCursorKind)
        let fetched = try await repository.genes(after: page.afterID, limit: page.limit + 1)
        return Page(fetched: fetched, limit: page.limit, kind: Self.geneCursorKind) { $0.id }
    }

    /// A gene by name ignoring case, with one page of the sets it is in.
    public func gene(named name: String, limit: Int?, cursor: String?) async throws -> GeneDetail {
        try StorableText.check(name, field: "name")
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.genesetCursorKind)
        guard let (gene, fetched) = try await repository.gene(named: name.trimmingWhitespace(), withSetsAfter: page.afterID, limit: page.limit + 1)
        else { throw GenesetError.geneNotFound(name) }
        return GeneDetail(gene: gene, genesets: Page(fetched: fetched, limit: page.limit, kind: Self.genesetCursorKind) { $0.id })
    }

    /// Genes ranked by ``GeneSearch``: exact, prefix, substring, then similar names.
    public func searchGenes(_ query: String, limit: Int?) async throws -> [GeneMatch] {
        let limit = try PageRequest(limit: limit, cursor: nil, kind: Self.geneCursorKind).limit
        return try await repository.searchGenes(GeneSearch.Query(query), limit: limit)
    }

    /// Validates an optional filter pattern: `nil` or blank means no filter.
    static func pattern(_ raw: String?, field: String) throws(ValidationError) -> String? {
        guard let raw, !raw.trimmingWhitespace().isEmpty else { return nil }
        return try GeneSearch.Query(raw, field: field).text
    }
}

extension GenesetCatalog {
    /// Fills the repository with synthetic sets in batches, reporting the running total after each batch.
    ///
    /// Runs on the caller's isolation (`isolation`, by default the caller's actor), so `progress` needs not be
    /// `@Sendable`: called from `main` or an actor, it may change that context's state and local variables.
    public func populate(
        _ data: SyntheticGenesets, batchSize: Int = 1_000, isolation: isolated (any Actor)? = #isolation, progress: (Int) async -> Void
    ) async throws {
        let batchSize = max(batchSize, 1)
        var start = 0
        while start < data.sets {
            let end = min(start + batchSize, data.sets)
            try await repository.createMany(data.drafts(start..<end), at: clock.now())
            start = end
            await progress(end)
        }
    }
}
