import AssayDomain
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

extension Request {
    /// Decodes a JSON body within the context's size limit.
    ///
    /// A body labelled with another media type is a 415 problem (no `Content-Type` is taken as JSON); syntax errors
    /// and a key given twice in one object are a 400 problem; a missing field, a `null` or a value of the wrong type
    /// is a 422 problem naming the field, like every other validation failure.
    func decodeJSON<Value: Decodable>(as type: Value.Type, context: some RequestContext) async throws -> Value {
        if let type = headers[.contentType], !Self.isJSON(mediaType: type) {
            throw Problem(.unsupportedMediaType, detail: "this route takes application/json; the body is labelled '\(type)'")
        }
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { throw Problem(.badRequest, detail: "the request body is empty; a JSON object is expected") }
        let bytes = Array(buffer.readableBytesView)
        if let key = JSONDuplicateKeys.first(in: bytes) {
            throw Problem(.badRequest, detail: "the key '\(key)' appears twice in one object; give each key once")
        }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        }
    }

    /// `application/json` or a `+json` type (`application/problem+json`), with any parameters (`charset=utf-8`).
    static func isJSON(mediaType: String) -> Bool {
        let essence = mediaType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return essence == "application/json" || (essence.hasPrefix("application/") && essence.hasSuffix("+json"))
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            return Problem(
                .unprocessableContent, detail: "the request has invalid fields",
                errors: [FieldError(field: fieldPath(context.codingPath + [key]), reason: "is required")])
        case .valueNotFound(let type, let context):
            return Problem(
                .unprocessableContent, detail: "the request has invalid fields",
                errors: [FieldError(field: fieldPath(context.codingPath), reason: "must be \(describe(type)), not null")])
        case .typeMismatch(let type, let context):
            return Problem(
                .unprocessableContent, detail: "the request has invalid fields",
                errors: [FieldError(field: fieldPath(context.codingPath), reason: "must be \(describe(type))")])
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return Problem(
                .unprocessableContent, detail: "the request has invalid fields",
                errors: [FieldError(field: fieldPath(context.codingPath), reason: context.debugDescription)])
        case .dataCorrupted:
            return Problem(.badRequest, detail: "the request body is not valid JSON")
        @unknown default:
            return Problem(.badRequest, detail: "the request body could not be decoded")
        }
    }

    /// `genes[2].name` style path of a coding path.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result.isEmpty ? "body" : result
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

extension Request {
    /// An optional integer query parameter; present but not an integer is a 400 problem.
    func integerQuery(_ name: String) throws -> Int? {
        guard let raw = uri.queryParameters.get(name) else { return nil }
        guard let value = Int(raw) else { throw Problem(.badRequest, detail: "query parameter '\(name)' must be an integer, got '\(raw)'") }
        return value
    }

    /// An optional id query parameter: a positive integer, else a 400 problem.
    func positiveIDQuery(_ name: String) throws -> Int64? {
        guard let raw = uri.queryParameters.get(name) else { return nil }
        guard let value = Int64(raw), value > 0 else {
            throw Problem(.badRequest, detail: "query parameter '\(name)' must be a positive id, got '\(raw)'")
        }
        return value
    }

    /// An optional string query parameter.
    func stringQuery(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }
}

extension Parameters {
    /// A positive integer id from the path; anything else is a 400 problem.
    func id(_ name: String = "id") throws -> Int64 {
        guard let raw = get(name), let id = Int64(raw), id > 0 else {
            throw Problem(.badRequest, detail: "'\(get(name) ?? "")' is not a valid id; ids are positive integers")
        }
        return id
    }

    /// A path segment, percent-decoded.
    func decoded(_ name: String) throws -> String {
        try PercentDecoding.decode(get(name) ?? "")
    }

    /// The rest of the path matched by `**`, percent-decoded.
    func decodedCatchAll() throws -> String {
        try PercentDecoding.decode(getCatchAll().joined(separator: "/"))
    }
}

/// Percent-decoding of raw path segments (Hummingbird hands them over still encoded), by Foundation.
enum PercentDecoding {
    static func decode(_ raw: String) throws -> String {
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        guard let text = raw.removingPercentEncoding else {
            throw Problem(.badRequest, detail: "the path has an invalid percent-encoding, or is not UTF-8 once decoded")
        }
        return text
    }
}
