#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// What a token may do. `admin` grants everything, `write` also grants `read`.
public enum TokenScope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Read data (GET).
    case read
    /// Change data (POST, PUT, DELETE).
    case write
    /// Manage tokens.
    case admin

    /// Whether holding this scope satisfies a route that needs `needed`.
    public func grants(_ needed: TokenScope) -> Bool {
        switch self {
        case .admin: true
        case .write: needed != .admin
        case .read: needed == .read
        }
    }

    /// Orders scopes from least to most powerful.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A stored bearer token. The secret itself is never stored: only its SHA-256 hash.
public struct AccessToken: Sendable, Hashable {
    /// Identifier assigned by the store.
    public var id: Int64
    /// Human name, e.g. `ci` or `alice laptop`.
    public var name: String
    /// The user the token belongs to (``UserName``): what it creates is that user's.
    public var user: String
    /// Granted scopes.
    public var scopes: Set<TokenScope>
    /// The first characters of the secret (`assay_AbCd`), to recognise a token in lists.
    public var prefix: String
    /// SHA-256 of the secret.
    public var hash: [UInt8]
    /// When the token was issued.
    public var createdAt: Date
    /// When it last authenticated a request (updated at most once a minute).
    public var lastUsedAt: Date?
    /// When it stops working, if ever.
    public var expiresAt: Date?
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a token record.
    public init(
        id: Int64, name: String, user: String, scopes: Set<TokenScope>, prefix: String, hash: [UInt8], createdAt: Date,
        lastUsedAt: Date? = nil, expiresAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.user = user
        self.scopes = scopes
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the token authenticates requests at `time`.
    public func isActive(at time: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { time < $0 } ?? true)
    }

    /// Whether the token may call a route that needs `needed`.
    public func allows(_ needed: TokenScope) -> Bool {
        scopes.contains { $0.grants(needed) }
    }
}

/// A token about to be stored: everything but the id.
public struct NewAccessToken: Sendable, Hashable {
    /// Human name.
    public var name: String
    /// The user it belongs to.
    public var user: String
    /// Granted scopes.
    public var scopes: Set<TokenScope>
    /// First characters of the secret.
    public var prefix: String
    /// SHA-256 of the secret.
    public var hash: [UInt8]
    /// Issue time.
    public var createdAt: Date
    /// Expiry, if any.
    public var expiresAt: Date?

    /// Creates a new token record.
    public init(name: String, user: String, scopes: Set<TokenScope>, prefix: String, hash: [UInt8], createdAt: Date, expiresAt: Date?) {
        self.name = name
        self.user = user
        self.scopes = scopes
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
