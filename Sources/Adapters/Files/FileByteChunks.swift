import Foundation
import NIOPosix

/// A file's bytes in chunks, each read on NIO's blocking-I/O pool when asked for: a file of any size streams through
/// with one chunk in memory (gene reference imports).
public struct FileByteChunks: AsyncSequence, Sendable {
    /// The file's bytes, in order.
    public typealias Element = [UInt8]
    /// A read error.
    public typealias Failure = any Error

    private let handle: FileHandle
    private let chunkSize: Int

    /// Opens `path`; throws when it cannot be opened.
    public init(path: String, chunkSize: Int = 1 << 20) throws {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        self.chunkSize = Swift.max(chunkSize, 1)
    }

    /// Reads chunks until the end of the file, then closes it.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        let chunkSize: Int
        var done = false

        /// The next chunk, or `nil` at the end.
        public mutating func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            let (handle, chunkSize) = (self.handle, self.chunkSize)
            let data = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: chunkSize) ?? Data() }
            if data.isEmpty {
                done = true
                try? handle.close()
                return nil
            }
            return [UInt8](data)
        }
    }

    /// Creates the iterator; iterate once.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle, chunkSize: chunkSize) }
}
