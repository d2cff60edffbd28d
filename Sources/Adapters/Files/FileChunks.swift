public import Foundation
import NIOPosix

/// The bytes of a file in chunks, each read on NIO's blocking-I/O pool when asked for: neither the event loops nor
/// the cooperative pool block, and memory stays flat whatever the file's size. The file is closed at its end.
public struct FileChunks: AsyncSequence, Sendable {
    /// Chunks of bytes, in file order.
    public typealias Element = [UInt8]

    let handle: FileHandle
    let chunkSize: Int

    /// Reads an open file from its current offset.
    public init(handle: FileHandle, chunkSize: Int = 1 << 20) {
        self.handle = handle
        self.chunkSize = Swift.max(chunkSize, 1)
    }

    /// Opens the file at `path`; `nil` when it cannot be opened.
    public init?(path: String, chunkSize: Int = 1 << 20) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        self.init(handle: handle, chunkSize: chunkSize)
    }

    /// Reads one chunk at a time.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var done = false

        /// The next chunk, or `nil` at the end of the file.
        public mutating func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            let chunks = self.chunks
            let data = try await NIOThreadPool.singleton.runIfActive { try chunks.handle.read(upToCount: chunks.chunkSize) ?? Data() }
            if data.isEmpty {
                done = true
                try? chunks.handle.close()
                return nil
            }
            return [UInt8](data)
        }
    }

    /// Starts reading.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}

extension AsyncSequence where Self: Sendable, Element == [UInt8] {
    /// The same chunks, with a failure to read turned into `transform(error)`.
    func mapError(_ transform: @escaping @Sendable (any Error) -> any Error) -> MappedErrors<Self> {
        MappedErrors(base: self, transform: transform)
    }
}

/// A byte sequence whose read errors are replaced (``AsyncSequence/mapError(_:)``).
struct MappedErrors<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    typealias Element = [UInt8]
    let base: Base
    let transform: @Sendable (any Error) -> any Error

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let transform: @Sendable (any Error) -> any Error

        mutating func next() async throws -> [UInt8]? {
            do { return try await base.next() } catch { throw transform(error) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), transform: transform) }
}
