import Synchronization

/// Over-representation analysis of a gene list against a collection (or the whole catalog), answered from an
/// in-process ``EnrichmentIndex`` that is rebuilt only when the catalog changed.
///
/// Each analysis reads the ``EnrichmentSource/catalogVersion()`` (one cheap call), and builds the index of its scope
/// again only when that version moved since the index was built; concurrent analyses of a scope share one build.
/// An analysis then costs in proportion to the list genes' memberships, not to the number of sets.
public final class EnrichmentService<Source: EnrichmentSource>: Sendable {
    /// The sets' source.
    public let source: Source
    private let indexes = Mutex<[Scope: Entry]>([:])

    /// What an index covers: the sets of one species in a collection, or in the whole catalog.
    private struct Scope: Hashable {
        let collection: Int64?
        let species: Species
    }

    private struct Entry {
        let version: Int64
        let build: Task<EnrichmentIndex, any Error>
    }

    /// Creates the service over a source.
    public init(source: Source) {
        self.source = source
    }

    /// Tests every set of `species` in `collection` (the catalog when `nil`) that the viewer may see and that shares a
    /// gene with the list. A collection the viewer may not see is ``CollectionError/notFound(_:)``.
    public func analyse(
        _ query: EnrichmentQuery, collection: Int64?, species: Species = .human, as viewer: Viewer = .system
    ) async throws -> EnrichmentResult {
        if let collection, !viewer.isAdmin {
            guard let ownership = try await source.collectionOwnership(id: collection), viewer.canSee(ownership) else {
                throw CollectionError.notFound(collection)
            }
        }
        let index = try await index(of: collection, species: species)
        return try EnrichmentAnalysis(index: index, viewer: viewer).run(query)
    }

    /// The index of a scope as of now, built again when the catalog changed.
    public func index(of collection: Int64?, species: Species = .human) async throws -> EnrichmentIndex {
        let version = try await source.catalogVersion()
        let source = self.source
        let scope = Scope(collection: collection, species: species)
        let build: Task<EnrichmentIndex, any Error> = indexes.withLock { indexes in
            if let entry = indexes[scope], entry.version >= version { return entry.build }
            let build = Task { EnrichmentIndex(try await source.enrichmentSets(collection: collection, species: species)) }
            indexes[scope] = Entry(version: version, build: build)
            return build
        }
        do {
            return try await build.value
        } catch {
            // A failed build is not kept: the next analysis tries again.
            indexes.withLock { indexes in
                if let entry = indexes[scope], entry.version == version { indexes[scope] = nil }
            }
            throw error
        }
    }
}
