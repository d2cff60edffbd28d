import AssayDomain
import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import NIOPosix

/// The three files of `POST /etl` sent as `multipart/form-data`, written to a fresh temporary directory as
/// they arrive (never held in memory whole).
struct ETLUpload {
    /// The part names accepted for each file.
    static func file(forPart name: String) -> ETLFile? {
        switch name.lowercased() {
        case "users", "users.csv": .users
        case "experiments", "user_experiments", "user_experiments.csv": .experiments
        case "compounds", "compounds.csv": .compounds
        default: nil
        }
    }

    /// The boundary of a `multipart/form-data` content type, or `nil` for any other type.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count)
            return String(value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? value.dropFirst().dropLast() : value)
        }
        return nil
    }

    /// Writes the uploaded files into a new directory and returns it; the caller removes it when done.
    static func receive(_ body: RequestBody, boundary: String, limit: Int) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-etl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try await write(body, boundary: boundary, limit: limit, into: directory)
            return directory
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private static func write(_ body: RequestBody, boundary: String, limit: Int, into directory: String) async throws {
        guard !boundary.isEmpty, boundary.count <= 70 else { throw Problem(.badRequest, detail: "the multipart boundary must be 1 to 70 characters") }
        let parser = MultipartParser(boundary: boundary)
        var partName: String?
        var output: FileHandle?
        var received: Set<ETLFile> = []
        var failure: (any Error)?
        parser.onHeader = { field, value in
            guard field.lowercased() == "content-disposition" else { return }
            partName = Self.parameter("name", in: value) ?? Self.parameter("filename", in: value)
        }
        // Opens the file of the current part, once: at its first bytes, or at its end when it has none.
        let open: () -> Void = {
            guard failure == nil, output == nil else { return }
            guard let name = partName, let file = Self.file(forPart: name) else {
                failure = Problem(
                    .badRequest,
                    detail: "unexpected form part '\(partName ?? "")'; send users, experiments and compounds (or their file names)")
                return
            }
            guard received.insert(file).inserted else {
                failure = Problem(.badRequest, detail: "the part '\(name)' was sent twice")
                return
            }
            let path = (directory as NSString).appendingPathComponent(file.rawValue)
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                failure = Problem(.serviceUnavailable, detail: "the server cannot store the upload (temporary directory not writable)")
                return
            }
            output = handle
        }
        parser.onBody = { buffer in
            open()
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { output?.write(Data(bytes)) }
        }
        parser.onPartComplete = {
            open()
            try? output?.close()
            output = nil
            partName = nil
        }
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                guard total <= limit else {
                    throw Problem(.contentTooLarge, detail: "the upload is larger than the server accepts (\(limit) bytes)")
                }
                try parser.execute(buffer)
                if let failure { throw failure }
            }
        } catch let problem as Problem {
            throw problem
        } catch let error as NIOTooManyBytesError {
            throw error
        } catch {
            throw Problem(.badRequest, detail: "the multipart body is malformed")
        }
        try? output?.close()
        let missing = ETLFile.allCases.filter { !received.contains($0) }
        guard missing.isEmpty else {
            throw Problem(
                .unprocessableContent, detail: "the upload must contain all three files",
                errors: missing.map { FieldError(field: $0.rawValue, reason: "missing form part") })
        }
    }

    /// A parameter of a `Content-Disposition` value, e.g. `name` in `form-data; name="users"`.
    private static func parameter(_ name: String, in value: String) -> String? {
        for part in value.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
