/// Port: where the gene references live (in memory, Postgres), one per species.
///
/// The store only finds names; the rules that turn matches into answers are the Domain's
/// (``GeneResolutionReport``), so every adapter answers alike. Adapters validate records with the same rules as
/// ``GeneReferenceIndex/insert(_:)`` (species, one symbol per Ensembl id).
public protocol GeneReferenceStore: Sendable {
    /// Replaces `species`' reference with the records of `batches`, as one change: readers see the old reference or
    /// the new one, never a mix, and if reading `batches` fails or brings no record the old reference stays.
    ///
    /// Postgres: COPY into a staging table, then swap in one transaction; in memory: build an index, then swap it in.
    func replaceReference(
        of species: Species,
        source: String,
        with batches: some AsyncSequence<[GeneReferenceRecord], any Error> & Sendable
    ) async throws -> GeneReferenceSummary

    /// Every match of the name keys (``GeneReferenceRules/key(forName:)``) in `species`' reference, in any order.
    ///
    /// One round trip for a whole request: `SELECT key, kind, symbol, ensembl_id FROM gene_reference_names
    /// WHERE species = $1 AND key = ANY($2)`.
    func matches(forKeys keys: [String], species: Species) async throws -> [GeneNameMatch]

    /// What is loaded for `species`, or `nil` when nothing is.
    func summary(of species: Species) async throws -> GeneReferenceSummary?
}
