public import AssayDomain

/// ``ETLInput`` from files held in memory, handed out in chunks of a chosen size (small chunks exercise the
/// reader's handling of values split across chunks).
public struct InMemoryETLInput: ETLInput {
    public let source: String
    private let files: [ETLFile: [UInt8]]
    private let chunkSize: Int

    /// Creates an input from file contents; a file left out is missing.
    public init(_ files: [ETLFile: [UInt8]], chunkSize: Int = 64 * 1024, source: String = "memory") {
        self.files = files
        self.chunkSize = max(1, chunkSize)
        self.source = source
    }

    /// Creates an input from file texts.
    public init(texts: [ETLFile: String], chunkSize: Int = 64 * 1024, source: String = "memory") {
        self.init(texts.mapValues { Array($0.utf8) }, chunkSize: chunkSize, source: source)
    }

    public func size(of file: ETLFile) throws -> Int? {
        guard let bytes = files[file] else { throw ETLError.unreadable(file: file.rawValue, reason: "the file is missing") }
        return bytes.count
    }

    public func chunks(of file: ETLFile) throws -> any AsyncSequence<[UInt8], any Error> {
        guard let bytes = files[file] else { throw ETLError.unreadable(file: file.rawValue, reason: "the file is missing") }
        let size = chunkSize
        return AsyncThrowingStream<[UInt8], any Error> { continuation in
            var start = 0
            while start < bytes.count {
                continuation.yield(Array(bytes[start..<min(start + size, bytes.count)]))
                start += size
            }
            continuation.finish()
        }
    }
}
