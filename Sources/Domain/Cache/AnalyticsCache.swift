#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A key-value cache with expiry, for computed analytics. Every adapter passes the same contract suite.
///
/// Values are opaque bytes (callers encode them, e.g. as JSON), so any adapter stores them unchanged. Keys are
/// any text; an adapter may prefix them. A cache may lose entries early (eviction, restart), never keep them late.
public protocol AnalyticsCache: Sendable {
    /// The bytes stored under `key`, or `nil` when absent or expired.
    func get(_ key: String) async throws -> [UInt8]?
    /// Stores `value` under `key` for `ttl` seconds (rounded up to whole milliseconds, at least 1 ms, at most ten years), replacing
    /// any earlier value and expiry.
    func set(_ key: String, value: [UInt8], ttl: TimeInterval) async throws
    /// Removes `key`; nothing happens when it is absent.
    func delete(_ key: String) async throws
}

/// Expiry arithmetic shared by the cache adapters.
public enum CacheExpiry {
    /// Longest expiry, ten years in milliseconds: Redis refuses times it cannot add to its clock.
    public static let maximumMilliseconds: Int64 = 10 * 365 * 86_400 * 1_000

    /// `ttl` seconds as whole milliseconds, rounded up, at least 1 and at most ``maximumMilliseconds``.
    public static func milliseconds(_ ttl: TimeInterval) -> Int64 {
        guard ttl > 0 else { return 1 }
        guard ttl * 1_000 < Double(maximumMilliseconds) else { return maximumMilliseconds }
        return max(1, Int64((ttl * 1_000).rounded(.up)))
    }
}
