public import AssayDomain
import Synchronization

/// ``GeneReferenceStore`` kept in memory: one ``GeneReferenceIndex`` per species, swapped in whole.
///
/// A replacement builds its index outside the lock, so lookups keep answering from the old reference meanwhile;
/// a lookup copies the current index out under the lock (copy on write: no data is copied) and searches it
/// outside, so concurrent lookups do not wait on each other.
public final class InMemoryGeneReferenceStore: GeneReferenceStore {
    private struct Loaded: Sendable {
        let index: GeneReferenceIndex
        let summary: GeneReferenceSummary
    }

    private let references = Mutex<[Species: Loaded]>([:])

    /// Creates a store with no reference loaded.
    public init() {}

    public func replaceReference(
        of species: Species,
        source: String,
        with batches: some AsyncSequence<[GeneReferenceRecord], any Error> & Sendable
    ) async throws -> GeneReferenceSummary {
        var index = GeneReferenceIndex(species: species)
        for try await batch in batches {
            for record in batch { try index.insert(record) }
        }
        return try install(index, source: source)
    }

    /// Replaces `index.species`' reference with an index built already (embedding, tests).
    @discardableResult
    public func install(_ index: GeneReferenceIndex, source: String) throws(GeneReferenceError) -> GeneReferenceSummary {
        guard index.recordCount > 0 else { throw .emptyReference(index.species) }
        let loaded = Loaded(index: index, summary: index.summary(source: source))
        references.withLock { $0[index.species] = loaded }
        return loaded.summary
    }

    public func matches(forKeys keys: [String], species: Species) -> [GeneNameMatch] {
        guard let index = references.withLock({ $0[species]?.index }) else { return [] }
        return index.matches(forKeys: keys)
    }

    public func summary(of species: Species) -> GeneReferenceSummary? {
        references.withLock { $0[species]?.summary }
    }
}
