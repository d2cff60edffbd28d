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

    /// Validates and stores a new set owned by the viewer, in a collection when one is given (its set names are unique
    /// ignoring case). `species` defaults to the collection's, else human (see ``GenesetDraft/species``).
    ///
    /// A set without a collection is `visibility`, by default private. A set in a collection has the collection's
    /// owner and visibility: the viewer must be allowed to change the collection (``NotOwnerError`` otherwise, and
    /// ``CollectionError/notFound(_:)`` when they may not see it), and a `visibility` other than the collection's is
    /// refused.
    public func create(
        title: String, geneNames: [String], description: String? = nil, collectionID: Int64? = nil, species: Species? = nil,
        visibility: Visibility? = nil, as viewer: Viewer = .system
    ) async throws -> Geneset {
        var draft = try GenesetDraft(
            title: title, geneNames: geneNames, description: description, collectionID: collectionID, species: species)
        draft.owner = viewer.user
        draft.visibility = visibility ?? .private
        if let collectionID { try await checkCollection(collectionID, visibility: visibility, for: viewer) }
        return try await repository.create(draft, at: clock.now())
    }

    /// The set with this id; throws ``GenesetError/genesetNotFound(_:)`` when missing or when the viewer may not see it.
    public func geneset(id: Int64, as viewer: Viewer = .system) async throws -> Geneset {
        guard let set = try await repository.geneset(id: id), viewer.canSee(set.ownership) else { throw GenesetError.genesetNotFound(id) }
        return set
    }

    /// Validates and replaces title, genes and description of an existing set; with `collectionID` it moves there, and
    /// with `visibility` it becomes that (not in a collection: there it has the collection's). Only its owner and admins
    /// may: ``NotOwnerError`` for anyone else who can see it, ``GenesetError/genesetNotFound(_:)`` for the others.
    public func replace(
        id: Int64, title: String, geneNames: [String], description: String? = nil, collectionID: Int64? = nil, species: Species? = nil,
        visibility: Visibility? = nil, as viewer: Viewer = .system
    ) async throws -> Geneset {
        var draft = try GenesetDraft(
            title: title, geneNames: geneNames, description: description, collectionID: collectionID, species: species)
        let current = try await changeable(id, by: viewer)
        draft.visibility = visibility
        if let target = collectionID ?? current.collectionID { try await checkCollection(target, visibility: visibility, for: viewer) }
        guard let set = try await repository.replace(id: id, with: draft, at: clock.now()) else {
            throw GenesetError.genesetNotFound(id)
        }
        return set
    }

    /// Deletes a set, with ``replace(id:title:geneNames:description:collectionID:species:visibility:as:)``'s rules on
    /// who may; throws ``GenesetError/genesetNotFound(_:)`` when missing.
    public func delete(id: Int64, as viewer: Viewer = .system) async throws {
        _ = try await changeable(id, by: viewer)
        guard try await repository.delete(id: id) else { throw GenesetError.genesetNotFound(id) }
    }

    /// One page of the sets the viewer may see, optionally filtered by title text, by member gene, by collection, by
    /// owner (a user name) and by visibility.
    public func list(
        limit: Int?, cursor: String?, titleContains: String? = nil, gene: String? = nil, collectionID: Int64? = nil,
        owner: String? = nil, visibility: Visibility? = nil, as viewer: Viewer = .system
    ) async throws -> Page<Geneset> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.genesetCursorKind)
        let filter = GenesetFilter(
            titleContains: try Self.pattern(titleContains, field: "q"),
            geneName: try Self.pattern(gene, field: "gene"),
            collectionID: collectionID,
            scope: try VisibilityScope.requested(viewer: viewer, owner: owner, visibility: visibility)
        )
        let fetched = try await repository.genesets(matching: filter, after: page.afterID, limit: page.limit + 1)
        return Page(fetched: fetched, limit: page.limit, kind: Self.genesetCursorKind) { $0.id }
    }

    /// Sets the viewer may see whose title contains `pattern`, ignoring case, taking the pattern literally.
    public func searchTitles(_ pattern: String, limit: Int?, cursor: String?, as viewer: Viewer = .system) async throws -> Page<Geneset> {
        let text = try GeneSearch.Query(pattern, field: "pattern").text
        return try await list(limit: limit, cursor: cursor, titleContains: text, as: viewer)
    }

    /// One page of the genes the viewer may see (those of the sets they may see; every gene for admins), by ascending id.
    public func genes(limit: Int?, cursor: String?, as viewer: Viewer = .system) async throws -> Page<Gene> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.geneCursorKind)
        let fetched = try await repository.genes(after: page.afterID, limit: page.limit + 1, visibleTo: viewer)
        return Page(fetched: fetched, limit: page.limit, kind: Self.geneCursorKind) { $0.id }
    }

    /// A gene by name ignoring case, with one page of the sets it is in that the viewer may see; throws
    /// ``GenesetError/geneNotFound(_:)`` when there is no such gene or the viewer may see no set holding it.
    public func gene(named name: String, limit: Int?, cursor: String?, as viewer: Viewer = .system) async throws -> GeneDetail {
        try StorableText.check(name, field: "name")
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.genesetCursorKind)
        guard
            let (gene, fetched) = try await repository.gene(
                named: name.trimmingWhitespace(), withSetsAfter: page.afterID, limit: page.limit + 1, visibleTo: viewer)
        else { throw GenesetError.geneNotFound(name) }
        return GeneDetail(gene: gene, genesets: Page(fetched: fetched, limit: page.limit, kind: Self.genesetCursorKind) { $0.id })
    }

    /// Genes the viewer may see, ranked by ``GeneSearch``: exact, prefix, substring, then similar names.
    public func searchGenes(_ query: String, limit: Int?, as viewer: Viewer = .system) async throws -> [GeneMatch] {
        let limit = try PageRequest(limit: limit, cursor: nil, kind: Self.geneCursorKind).limit
        return try await repository.searchGenes(GeneSearch.Query(query), limit: limit, visibleTo: viewer)
    }

    /// The set, when the viewer may change it: ``GenesetError/genesetNotFound(_:)`` when they may not see it,
    /// ``NotOwnerError`` when they see it but it is another user's.
    private func changeable(_ id: Int64, by viewer: Viewer) async throws -> Geneset {
        let set = try await geneset(id: id, as: viewer)
        guard viewer.canChange(set.ownership) else { throw NotOwnerError(kind: "gene set", id: id, owner: set.owner) }
        return set
    }

    /// Checks that the viewer may put a set in the collection, and that `visibility`, when given, is the collection's.
    private func checkCollection(_ id: Int64, visibility: Visibility?, for viewer: Viewer) async throws {
        guard let ownership = try await repository.collectionOwnership(id: id), viewer.canSee(ownership) else {
            throw CollectionError.notFound(id)
        }
        guard viewer.canChange(ownership) else { throw NotOwnerError(kind: "collection", id: id, owner: ownership.owner) }
        if let visibility, visibility != ownership.visibility {
            throw ValidationError([
                FieldError(
                    field: "visibility",
                    reason: "a set in collection \(id) has the collection's visibility (\(ownership.visibility.rawValue))")
            ])
        }
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
        let load = BulkLoad()
        var start = 0
        while start < data.sets {
            let end = min(start + batchSize, data.sets)
            try await repository.createMany(data.drafts(start..<end), at: clock.now(), loading: load)
            start = end
            await progress(end)
        }
    }
}
