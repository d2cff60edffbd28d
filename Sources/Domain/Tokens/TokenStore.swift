#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Storage for access tokens. Every adapter passes the same contract suite.
public protocol TokenStore: Sendable {
    /// Stores a new token and returns it with its id; hashes are unique.
    func insert(_ token: NewAccessToken) async throws -> AccessToken
    /// The token whose secret hashes to `hash`, or `nil`.
    func token(hash: [UInt8]) async throws -> AccessToken?
    /// Every token (revoked and expired included), by ascending id.
    func all() async throws -> [AccessToken]
    /// Marks a token revoked at `time`; `false` when there is no such token. Revoking twice keeps the first time.
    func revoke(id: Int64, at time: Date) async throws -> Bool
    /// Marks a token revoked at `time` like ``revoke(id:at:)``, unless it is active at `time` with the admin scope and
    /// no other such token is (``TokenRevocation/lastAdmin``), atomically: of revocations racing on the last two
    /// admin tokens, one is refused.
    func revokeUnlessLastAdmin(id: Int64, at time: Date) async throws -> TokenRevocation
    /// Records that the token authenticated a request at `time`.
    func markUsed(id: Int64, at time: Date) async throws
    /// Number of stored tokens.
    func count() async throws -> Int
    /// Stores `token` only when the store holds no token at all, atomically: of several callers racing on an
    /// empty store (two servers starting together), exactly one stores. `nil` when tokens exist.
    func insertIfEmpty(_ token: NewAccessToken) async throws -> AccessToken?
}

/// What ``TokenStore/revokeUnlessLastAdmin(id:at:)`` did.
public enum TokenRevocation: Sendable, Hashable {
    /// The token is revoked (now or before).
    case revoked
    /// No token has this id.
    case notFound
    /// Nothing changed: the token is the last active admin token.
    case lastAdmin
}

/// Hashes token secrets (SHA-256 in the server; the domain does no cryptography itself).
public protocol TokenHasher: Sendable {
    /// The digest of `secret`.
    func hash(_ secret: String) -> [UInt8]
}
