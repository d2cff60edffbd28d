public import AssayDomain
public import Foundation
import Hummingbird

/// Body of `POST /tokens`.
struct TokenRequest: Decodable {
    let name: String
    /// The user the token belongs to; the calling admin's own user when omitted.
    let user: String?
    let scopes: [String]
    let expiresIn: String?

    enum CodingKeys: String, CodingKey {
        case name, user, scopes
        case expiresIn = "expires_in"
    }
}

/// A token as the API lists it: never the secret, only its first characters.
struct TokenResponse: ResponseEncodable {
    let id: Int64
    let name: String
    let user: String
    let scopes: [String]
    let prefix: String
    let createdAt: Date
    let lastUsedAt: Date?
    let expiresAt: Date?
    let revokedAt: Date?
    /// Only in the response that issues the token.
    let token: String?

    init(_ token: AccessToken, secret: String? = nil) {
        self.id = token.id
        self.name = token.name
        self.user = token.user
        self.scopes = token.scopes.sorted().map(\.rawValue)
        self.prefix = token.prefix
        self.createdAt = token.createdAt
        self.lastUsedAt = token.lastUsedAt
        self.expiresAt = token.expiresAt
        self.revokedAt = token.revokedAt
        self.token = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, name, user, scopes, prefix, token
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }
}

struct TokenListResponse: ResponseEncodable {
    let items: [TokenResponse]
}

/// `GET /me`: who the presented token is.
struct MeResponse: ResponseEncodable {
    /// The user the token belongs to.
    let user: String
    /// Whether the token has the admin scope (sees and may change everything).
    let admin: Bool
    let scopes: [String]
    let token: TokenResponse

    init(_ token: AccessToken) {
        self.user = token.user
        self.admin = token.scopes.contains(.admin)
        self.scopes = token.scopes.sorted().map(\.rawValue)
        self.token = TokenResponse(token)
    }
}

/// `GET /me`, for any valid token.
struct IdentityController {
    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("/me") { _, context in
            guard let token = context.identity else { throw TokenError.missing }
            return MeResponse(token)
        }
        return routes
    }
}

/// Token management (admin scope): issue, list, revoke.
struct TokenController<Store: TokenStore> {
    let tokens: TokenService<Store>

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/tokens", use: create)
        routes.get("/tokens", use: list)
        routes.delete("/tokens/{id}", use: revoke)
        return routes
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TokenResponse> {
        let body = try await request.decodeJSON(as: TokenRequest.self, context: context)
        let (scopes, expiresIn) = try TokenInput.parse(scopes: body.scopes, expiresIn: body.expiresIn)
        let user = body.user ?? context.identity?.user ?? UserName.admin
        let issued = try await tokens.issue(name: body.name, user: user, scopes: scopes, expiresIn: expiresIn)
        return EditedResponse(
            status: .created, headers: [.location: "/tokens/\(issued.token.id)"], response: TokenResponse(issued.token, secret: issued.secret))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> TokenListResponse {
        TokenListResponse(items: try await tokens.list().map { TokenResponse($0) })
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        try await tokens.revoke(id: try context.parameters.id())
        return .noContent
    }
}

/// Scope lists and durations as clients and the command line write them.
public enum TokenInput {
    /// Parses scope names and an optional duration such as `30d`, reporting bad values by field.
    public static func parse(scopes raw: [String], expiresIn: String?) throws(ValidationError) -> (Set<TokenScope>, TimeInterval?) {
        var errors: [FieldError] = []
        var scopes = Set<TokenScope>()
        for (index, name) in raw.enumerated() {
            if let scope = TokenScope(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) {
                scopes.insert(scope)
            } else {
                errors.append(FieldError(field: "scopes[\(index)]", reason: "must be one of read, write, admin"))
            }
        }
        var seconds: TimeInterval?
        if let expiresIn {
            seconds = DurationText.seconds(expiresIn)
            if seconds == nil { errors.append(FieldError(field: "expires_in", reason: "must be a duration like 30d, 12h, 90m or 45s")) }
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return (scopes, seconds)
    }
}
