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
    /// Records that the token authenticated a request at `time`.
    func markUsed(id: Int64, at time: Date) async throws
    /// Number of stored tokens.
    func count() async throws -> Int
    /// Stores `token` only when the store holds no token at all, atomically: of several callers racing on an
    /// empty store (two servers starting together), exactly one stores. `nil` when tokens exist.
    func insertIfEmpty(_ token: NewAccessToken) async throws -> AccessToken?
}

/// Hashes token secrets (SHA-256 in the server; the domain does no cryptography itself).
public protocol TokenHasher: Sendable {
    /// The digest of `secret`.
    func hash(_ secret: String) -> [UInt8]
}
