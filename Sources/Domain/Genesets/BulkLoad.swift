import Synchronization

/// What the batches of one bulk load into one repository share (``GenesetRepository/createMany(_:at:loading:)``): the
/// genes stored so far, by ``GenesetRules/key(forGeneName:)``. Genes are never deleted, so a gene an earlier batch
/// stored is there for the next one, and an adapter need not look it up again.
public final class BulkLoad: Sendable {
    private let genes = Mutex<[String: Gene]>([:])

    /// An empty load: no genes known yet.
    public init() {}

    /// The genes the load's batches stored so far, by key.
    public var knownGenes: [String: Gene] { genes.withLock { $0 } }

    /// Records the genes of a batch once they are stored: committed, or written earlier in the one transaction that
    /// stores the later batches too (an import). A key known already keeps its gene.
    public func record(_ stored: [String: Gene]) {
        genes.withLock { $0.merge(stored) { old, _ in old } }
    }
}
