public import AssayDomain
public import Foundation
public import Hummingbird
public import HummingbirdAuth

/// The request context of every Assay route.
public struct AppRequestContext: AuthRequestContext {
    /// The token that authenticated the request, if any.
    public var identity: AccessToken?
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Largest body the route may read; set from configuration by ``RequestMiddleware``.
    public var maxUploadSize: Int

    /// Creates a context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.maxUploadSize = AssayConfiguration().maxBodyBytes
        self.identity = nil
    }

    /// JSON with sorted keys and ISO 8601 dates, so responses are stable byte for byte.
    public var responseEncoder: JSONEncoder { Self.makeEncoder() }

    /// The API's JSON: sorted keys, ISO 8601 dates, slashes unescaped. Every JSON body is written with it.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension AppRequestContext {
    /// Whom the request acts for: the token's user, an admin when the token has the `admin` scope; on a route without a
    /// token, a viewer who sees public objects only.
    var viewer: Viewer {
        guard let identity else { return .anonymous }
        return Viewer(user: identity.user, isAdmin: identity.allows(.admin))
    }
}

extension Viewer {
    /// The owner a `?owner=` query names: `me` is the viewer's own user; `nil` when absent or empty. Anything else is
    /// taken as given, and the use case refuses what is not a user name.
    func owner(requested raw: String?) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        return raw == "me" ? user : raw
    }
}

extension Visibility {
    /// A `visibility` given in a query or a body: `private` or `public`; `nil` when absent.
    static func requested(_ raw: String?, field: String = "visibility") throws(ValidationError) -> Visibility? {
        guard let raw else { return nil }
        guard let visibility = Visibility(rawValue: raw) else {
            throw ValidationError([FieldError(field: field, reason: "must be `private` or `public`")])
        }
        return visibility
    }
}
