/// The gene-symbol resolution use cases over a ``GeneReferenceStore``: load a reference, resolve a list.
public struct GeneResolver<Store: GeneReferenceStore>: Sendable {
    /// The storage port.
    public let store: Store

    /// Creates the resolver over a store.
    public init(store: Store) {
        self.store = store
    }

    /// Validates `genes` and `species` and resolves every name in one store round trip.
    ///
    /// Throws ``ValidationError`` for bad input and ``GeneReferenceError/notLoaded(_:)`` when the species has no
    /// reference (checked only when nothing matched, so a normal request costs one query).
    public func resolve(genes: [String], species: String) async throws -> GeneResolutionReport {
        let request = try GeneResolutionRequest(genes: genes, species: species)
        return try await resolve(request)
    }

    /// Resolves a validated request.
    public func resolve(_ request: GeneResolutionRequest) async throws -> GeneResolutionReport {
        let keys = request.names.map(GeneReferenceRules.key(forName:))
        let matches = try await store.matches(forKeys: Array(Set(keys)), species: request.species)
        if matches.isEmpty, try await store.summary(of: request.species) == nil {
            throw GeneReferenceError.notLoaded(request.species)
        }
        return GeneResolutionReport(species: request.species, names: request.names, keys: keys, matches: matches)
    }

    /// Replaces `species`' reference with its records in a reference file read as byte chunks.
    public func importReference(
        of species: Species,
        source: String,
        from chunks: some AsyncSequence<[UInt8], any Error> & Sendable
    ) async throws -> GeneReferenceSummary {
        try await store.replaceReference(of: species, source: source, with: GeneReferenceBatches(species: species, chunks: chunks))
    }

    /// What is loaded for `species`, or `nil`.
    public func summary(of species: Species) async throws -> GeneReferenceSummary? {
        try await store.summary(of: species)
    }
}
