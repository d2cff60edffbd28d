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
        return FileChunks(handle: handle, chunkSize: chunkSize).mapError { error in
            ETLError.unreadable(file: file.rawValue, reason: "reading failed: \(error)")
        }
    }
}
