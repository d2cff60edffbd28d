public import AssayDomain

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``TokenStore`` kept in memory.
public actor InMemoryTokenStore: TokenStore {
    private var tokens: [Int64: AccessToken] = [:]
    private var idsByHash: [[UInt8]: Int64] = [:]
    private var nextID: Int64 = 1

    /// A token with this hash is stored already.
    public struct DuplicateHash: Error {}

    /// Creates an empty store.
    public init() {}

    public func insert(_ token: NewAccessToken) throws -> AccessToken {
        guard idsByHash[token.hash] == nil else { throw DuplicateHash() }
        let stored = AccessToken(
            id: nextID, name: token.name, user: token.user, scopes: token.scopes, prefix: token.prefix, hash: token.hash,
            createdAt: token.createdAt, expiresAt: token.expiresAt)
        nextID += 1
        tokens[stored.id] = stored
        idsByHash[token.hash] = stored.id
        return stored
    }

    public func token(hash: [UInt8]) -> AccessToken? {
        idsByHash[hash].flatMap { tokens[$0] }
    }

    public func all() -> [AccessToken] {
        tokens.values.sorted { $0.id < $1.id }
    }

    public func revoke(id: Int64, at time: Date) -> Bool {
        guard var token = tokens[id] else { return false }
        if token.revokedAt == nil { token.revokedAt = time }
        tokens[id] = token
        return true
    }

    public func revokeUnlessLastAdmin(id: Int64, at time: Date) -> TokenRevocation {
        guard let token = tokens[id] else { return .notFound }
        let isAdmin = { (token: AccessToken) in token.scopes.contains(.admin) && token.isActive(at: time) }
        if isAdmin(token), !tokens.values.contains(where: { $0.id != id && isAdmin($0) }) { return .lastAdmin }
        return revoke(id: id, at: time) ? .revoked : .notFound
    }

    public func insertIfEmpty(_ token: NewAccessToken) throws -> AccessToken? {
        tokens.isEmpty ? try insert(token) : nil
    }

    public func markUsed(id: Int64, at time: Date) {
        tokens[id]?.lastUsedAt = time
    }

    public func count() -> Int {
        tokens.count
    }
}
