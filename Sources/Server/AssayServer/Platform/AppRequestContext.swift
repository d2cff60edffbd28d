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
