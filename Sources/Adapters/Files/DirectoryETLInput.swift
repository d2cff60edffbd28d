public import AssayDomain
import Foundation
import NIOPosix

/// ``ETLInput`` from a directory holding `users.csv`, `user_experiments.csv` and `compounds.csv`.
///
/// Files are read in 1 MiB chunks on NIO's blocking-I/O thread pool, one chunk at a time as the reader asks,
/// so neither the event loops nor the cooperative pool block, and memory stays flat whatever the file size.
public struct DirectoryETLInput: ETLInput {
    /// The directory.
    public let directory: String
    public let source: String
    private let chunkSize: Int

    /// Creates an input over `directory`; `source` describes it in the run history.
    public init(directory: String, source: String? = nil, chunkSize: Int = 1 << 20) {
        self.directory = directory
        self.source = source ?? "directory \(directory)"
        self.chunkSize = chunkSize
    }

    private func path(_ file: ETLFile) -> String {
        (directory as NSString).appendingPathComponent(file.rawValue)
    }

    public func size(of file: ETLFile) async throws -> Int? {
        let path = path(file)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw ETLError.unreadable(file: file.rawValue, reason: "the file is missing (looked for \(path))")
        }
        return (attributes[.size] as? NSNumber)?.intValue
    }

    public func chunks(of file: ETLFile) async throws -> any AsyncSequence<[UInt8], any Error> {
        let path = path(file)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ETLError.unreadable(file: file.rawValue, reason: "the file cannot be opened (\(path))")
        }
        return FileChunks(handle: handle, chunkSize: chunkSize, name: file.rawValue)
    }
}

/// The chunks of an open file, each read on the blocking-I/O pool when asked for.
private struct FileChunks: AsyncSequence, Sendable {
    let handle: FileHandle
    let chunkSize: Int
    let name: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var done = false

        mutating func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            let chunks = self.chunks
            let data: Data
            do {
                data = try await NIOThreadPool.singleton.runIfActive { try chunks.handle.read(upToCount: chunks.chunkSize) ?? Data() }
            } catch {
                throw ETLError.unreadable(file: chunks.name, reason: "reading failed: \(error)")
            }
            if data.isEmpty {
                done = true
                try? chunks.handle.close()
                return nil
            }
            return [UInt8](data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}
