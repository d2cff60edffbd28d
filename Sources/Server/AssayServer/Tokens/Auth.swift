public import AssayDomain
import Crypto
import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdAuth

/// SHA-256 of token secrets.
public struct SHA256TokenHasher: TokenHasher {
    /// Creates the hasher.
    public init() {}

    public func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }
}

/// Which scope each route needs. The one place that decides it, for every route present and future.
public struct AccessPolicy: Sendable {
    /// Routes anyone may call: health, the OpenAPI document, and the browser pages' shells and static files (`/docs`,
    /// `/dashboard`), which hold no data; the data they show comes from routes that need a token.
    public static let publicPaths: Set<String> = [
        "/health", "/ready", "/openapi.yaml",
        "/docs", "/docs/init.js", "/docs/assets/{file}", "/dashboard", "/dashboard/app.js", "/dashboard/app.css",
    ]
    /// The route-statistics route that ``apiPublic`` opens.
    public static let apiPath = "/api/**"

    /// Whether `GET /api/...` is public (`ASSAY_API_PUBLIC`); otherwise it needs `read` like any other GET.
    public var apiPublic: Bool

    /// Creates the policy.
    public init(apiPublic: Bool = false) {
        self.apiPublic = apiPublic
    }

    /// The scope a request needs, or `nil` for a public route. `endpointPath` is the matched route
    /// template (`nil` when no route matched: such requests go by method too, so an unknown path answers 401
    /// without a token and reveals nothing).
    public func requirement(method: HTTPRequest.Method, endpointPath: String?) -> TokenScope? {
        if let path = endpointPath, Self.publicPaths.contains(path) { return nil }
        if apiPublic, endpointPath == Self.apiPath, method == .get || method == .head { return nil }
        if let path = endpointPath, path == "/tokens" || path.hasPrefix("/tokens/") { return .admin }
        return method == .get || method == .head ? .read : .write
    }

    /// The bearer secret of an `Authorization` header; the scheme name is case-insensitive (RFC 9110).
    /// Reads bytes, not Characters: this runs on every request, and Foundation's trimming cost more than the
    /// token lookup.
    static func bearerSecret(_ headers: HTTPFields) -> String? {
        guard let authorization = headers[.authorization] else { return nil }
        return bearerSecret(authorization)
    }

    /// The secret of an `Authorization` value `Bearer <secret>`: scheme in any case, then spaces or tabs, then a
    /// secret without surrounding spaces or tabs. `nil` for another scheme or an empty secret.
    static func bearerSecret(_ authorization: String) -> String? {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let value = authorization.utf8.drop(while: isBlank)
        let scheme = value.prefix { !isBlank($0) }
        guard scheme.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let secret = value[scheme.endIndex...].drop(while: isBlank)
        guard let last = secret.lastIndex(where: { !isBlank($0) }) else { return nil }
        return String(Substring(secret[...last]))
    }
}

/// Authenticates the bearer token of every non-public request (hummingbird-auth's authenticator shape):
/// a valid token becomes the context's identity; a missing one leaves it empty; a bad one is a 401.
struct TokenAuthenticator<Store: TokenStore>: AuthenticatorMiddleware {
    typealias Context = AppRequestContext
    let tokens: TokenService<Store>
    let policy: AccessPolicy

    func authenticate(request: Request, context: AppRequestContext) async throws -> AccessToken? {
        guard policy.requirement(method: request.method, endpointPath: context.endpointPath) != nil,
            let secret = AccessPolicy.bearerSecret(request.headers)
        else { return nil }
        return try await tokens.authenticate(secret: secret)
    }
}

/// Requires an identity with the scope the route needs: 401 without one, 403 when the scope is short.
struct ScopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let policy: AccessPolicy

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        guard let needed = policy.requirement(method: request.method, endpointPath: context.endpointPath) else {
            return try await next(request, context)
        }
        guard let token = context.identity else { throw TokenError.missing }
        guard token.allows(needed) else { throw TokenError.insufficientScope(needed: needed) }
        return try await next(request, context)
    }
}
