import AssayDomain
import AssayInMemory
import Foundation
import Testing

/// The lab's real export files, read from `../shared/reference-data` at test time (never copied into the
/// repository). `ASSAY_REFERENCE_DATA` overrides the location.
enum ReferenceData {
    static var directory: String {
        get throws {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let candidates = [
                ProcessInfo.processInfo.environment["ASSAY_REFERENCE_DATA"],
                repository.deletingLastPathComponent().appendingPathComponent("shared/reference-data").path,
                "/work/shared/reference-data",
            ].compactMap { $0 }
            let found = candidates.first { FileManager.default.fileExists(atPath: $0 + "/eikon/users.csv") }
            return try #require(found, "reference data not found in \(candidates); set ASSAY_REFERENCE_DATA")
        }
    }

    /// The three eikon files as an in-memory input.
    static func eikon(chunkSize: Int = 64 * 1024) throws -> InMemoryETLInput {
        var files: [ETLFile: [UInt8]] = [:]
        for file in ETLFile.allCases {
            let data = try Data(contentsOf: URL(fileURLWithPath: try directory + "/eikon/" + file.rawValue))
            files[file] = Array(data)
        }
        return InMemoryETLInput(files, chunkSize: chunkSize, source: "eikon")
    }
}
