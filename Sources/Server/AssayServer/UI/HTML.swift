import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// HTML text for the browser pages: every string that came from a user or a store goes through ``escape(_:)``.
enum HTML {
    /// `text` safe inside element content and inside single- or double-quoted attribute values.
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// At most `limit` characters of `text`, the last one an ellipsis when it was cut (before escaping).
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A number with at most `digits` significant digits (`%.3g` style), for p-values and ratios.
    static func significant(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return value > 0 ? "∞" : (value < 0 ? "-∞" : "NaN") }
        return String(format: "%.\(digits)g", value)
    }

    /// A duration in ms or s, for ETL runs.
    static func duration(milliseconds: Double) -> String {
        milliseconds < 1_000 ? "\(Int(milliseconds.rounded())) ms" : String(format: "%.1f s", milliseconds / 1_000)
    }

    /// An instant in UTC, to the second (`2026-12-02 21:40:05Z`).
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601).replacingOccurrences(of: "T", with: " ")
    }
}

/// The Content-Security-Policy of every browser page, script, stylesheet and fragment: only this origin's own files, no
/// inline script or style, no plugins, no `<base>`, never framed. Images may be `data:` URLs (Swagger UI's CSS icons).
/// Swagger UI 5 renders under it without a violation (React sets styles through the DOM, which the policy allows).
enum ContentSecurityPolicy {
    /// The policy.
    static let strict =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

extension HTTPField.Name {
    /// `Content-Security-Policy`.
    static let contentSecurityPolicy = fieldName("Content-Security-Policy")
    /// `X-Content-Type-Options`.
    static let contentTypeOptions = fieldName("X-Content-Type-Options")
    /// `Referrer-Policy`.
    static let referrerPolicy = fieldName("Referrer-Policy")
}

extension Response {
    /// A page, script, stylesheet or fragment of the browser UI with its security headers. `cache` is the
    /// `Cache-Control` value: static files may be kept, anything with data must not.
    static func ui(
        _ body: ByteBuffer, contentType: String, policy: String = ContentSecurityPolicy.strict, cache: String = "no-store",
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var headers: HTTPFields = [
            .contentType: contentType, .contentSecurityPolicy: policy, .contentTypeOptions: "nosniff", .referrerPolicy: "no-referrer",
            .cacheControl: cache,
        ]
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// ``ui(_:contentType:policy:cache:status:)`` for text.
    static func ui(
        _ text: String, contentType: String, policy: String = ContentSecurityPolicy.strict, cache: String = "no-store",
        status: HTTPResponse.Status = .ok
    ) -> Response {
        ui(ByteBuffer(string: text), contentType: contentType, policy: policy, cache: cache, status: status)
    }
}
