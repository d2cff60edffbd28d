import Synchronization

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Why a request's token was refused.
public enum TokenError: Error, Sendable, Hashable {
    /// No bearer token was presented.
    case missing
    /// No stored token matches.
    case unknown
    /// The token was revoked.
    case revoked
    /// The token expired.
    case expired
    /// The token lacks the scope the route needs.
    case insufficientScope(needed: TokenScope)
    /// No token with this id exists.
    case notFound(Int64)
    /// The token is the last active admin token: revoking it would leave no way to manage tokens through the API.
    case lastAdmin(Int64)
}

/// A newly issued token: the secret is shown once and never again.
public struct IssuedToken: Sendable {
    /// The bearer secret, `assay_` followed by 43 URL-safe characters (256 random bits).
    public let secret: String
    /// The stored record.
    public let token: AccessToken
}

/// Issues, checks and revokes bearer tokens over a ``TokenStore``.
public struct TokenService<Store: TokenStore>: Sendable {
    /// Prefix of every secret, so leaked tokens are easy to recognise and scan for.
    public static var secretPrefix: String { "assay_" }
    /// How often `lastUsedAt` is written at most.
    public static var usageRecordingInterval: TimeInterval { 60 }

    /// The storage port.
    public let store: Store
    /// The hashing port.
    public let hasher: any TokenHasher
    /// Source of time.
    public let clock: any WallClock
    /// Recently authenticated tokens, so a request does not cost a store lookup (`nil`: no cache).
    let cache: RecentTokens?

    /// Creates the service. With `cacheSeconds` > 0, a token found in the store is trusted for that long
    /// without asking the store again: a revocation made through another instance (or directly in the
    /// store) takes effect within that time; one made through this service takes effect at once.
    public init(store: Store, hasher: any TokenHasher, clock: any WallClock = SystemClock(), cacheSeconds: TimeInterval = 0) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.cache = cacheSeconds > 0 ? RecentTokens(lifetime: cacheSeconds) : nil
    }

    /// Issues a token of `user` (a ``UserName``) with a fresh 256-bit random secret.
    public func issue(name: String, user: String, scopes: Set<TokenScope>, expiresIn: TimeInterval? = nil) async throws -> IssuedToken {
        try await store(secret: Self.randomSecret(), name: name, user: user, scopes: scopes, expiresIn: expiresIn)
    }

    /// A fresh secret: the prefix and 256 random bits.
    private static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Base64URL.encode(bytes)
    }

    /// Stores a token for a secret chosen elsewhere (the bootstrap `ASSAY_ADMIN_TOKEN`).
    public func store(
        secret: String, name: String, user: String, scopes: Set<TokenScope>, expiresIn: TimeInterval? = nil
    ) async throws -> IssuedToken {
        let token = try await store.insert(try newToken(secret: secret, name: name, user: user, scopes: scopes, expiresIn: expiresIn))
        return IssuedToken(secret: secret, token: token)
    }

    /// A validated token for `secret`, ready to store.
    private func newToken(secret: String, name: String, user: String, scopes: Set<TokenScope>, expiresIn: TimeInterval?) throws -> NewAccessToken {
        var errors: [FieldError] = []
        let name = name.trimmingWhitespace()
        if name.isEmpty || name.count > 100 {
            errors.append(FieldError(field: "name", reason: "must be 1 to 100 characters"))
        } else if let reason = StorableText.problem(with: name) {
            errors.append(FieldError(field: "name", reason: reason))
        }
        if let reason = UserName.problem(with: user) { errors.append(FieldError(field: "user", reason: reason)) }
        if scopes.isEmpty { errors.append(FieldError(field: "scopes", reason: "must name at least one of read, write, admin")) }
        if let expiresIn, expiresIn <= 0 { errors.append(FieldError(field: "expires_in", reason: "must be positive")) }
        if secret.count < 32 || !secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            errors.append(FieldError(field: "secret", reason: "must be at least 32 printable ASCII characters"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        let now = clock.now()
        return NewAccessToken(
            name: name, user: user, scopes: scopes, prefix: String(secret.prefix(10)), hash: hasher.hash(secret), createdAt: now,
            expiresAt: expiresIn.map { now.addingTimeInterval($0) })
    }

    /// The stored token for a presented secret, if it is valid now (records its use, at most once a minute).
    public func authenticate(secret: String?) async throws -> AccessToken {
        guard let secret, !secret.isEmpty else { throw TokenError.missing }
        let hash = hasher.hash(secret)
        let now = clock.now()
        var token: AccessToken
        if let cached = cache?.token(hash: hash, at: now) {
            token = cached
        } else {
            guard let stored = try await store.token(hash: hash) else { throw TokenError.unknown }
            token = stored
            cache?.remember(stored, at: now)
        }
        guard ConstantTime.equal(token.hash, hash) else { throw TokenError.unknown }
        if token.revokedAt != nil { throw TokenError.revoked }
        if let expiry = token.expiresAt, now >= expiry { throw TokenError.expired }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.usageRecordingInterval }) ?? true {
            try await store.markUsed(id: token.id, at: now)
            token.lastUsedAt = now
            cache?.remember(token, at: now)
        }
        return token
    }

    /// Every token, without secrets.
    public func list() async throws -> [AccessToken] {
        try await store.all()
    }

    /// Revokes a token; throws ``TokenError/notFound(_:)`` when missing and ``TokenError/lastAdmin(_:)`` when it is the
    /// last active admin token (the check and the revocation are one step of the store, so racing revocations keep one).
    public func revoke(id: Int64) async throws {
        switch try await store.revokeUnlessLastAdmin(id: id, at: clock.now()) {
        case .revoked: cache?.forget(id: id)
        case .notFound: throw TokenError.notFound(id)
        case .lastAdmin: throw TokenError.lastAdmin(id)
        }
    }

    /// On a store with no token at all, creates an admin token (from `secret` when given) and returns it;
    /// returns `nil` when tokens exist already. Atomic: of servers starting together on one empty store, one creates it.
    public func bootstrapAdmin(secret: String?) async throws -> IssuedToken? {
        guard try await store.count() == 0 else { return nil }
        let secret = secret.flatMap { $0.isEmpty ? nil : $0 } ?? Self.randomSecret()
        let token = try await store.insertIfEmpty(
            try newToken(secret: secret, name: "bootstrap admin", user: UserName.admin, scopes: [.admin], expiresIn: nil))
        return token.map { IssuedToken(secret: secret, token: $0) }
    }
}
