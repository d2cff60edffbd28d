public import AssayDomain

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// ``AnalyticsCache`` kept in memory. Expiry follows the injected clock, so tests control time. Keys are compared
/// byte for byte (UTF-8), as Redis compares them.
public actor InMemoryAnalyticsCache: AnalyticsCache {
    private var entries: [[UInt8]: (value: [UInt8], expires: Date)] = [:]
    private let clock: any WallClock
    /// When the number of entries reaches this, expired ones are swept before adding another.
    private var sweepAt = 1_024

    /// Creates an empty cache that reads time from `clock`.
    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    public func get(_ key: String) -> [UInt8]? {
        let key = Array(key.utf8)
        guard let entry = entries[key] else { return nil }
        guard clock.now() < entry.expires else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    public func set(_ key: String, value: [UInt8], ttl: TimeInterval) {
        let now = clock.now()
        if entries.count >= sweepAt {
            entries = entries.filter { now < $0.value.expires }
            sweepAt = max(1_024, entries.count * 2)
        }
        entries[Array(key.utf8)] = (value, now.addingTimeInterval(Double(CacheExpiry.milliseconds(ttl)) / 1_000))
    }

    public func delete(_ key: String) {
        entries[Array(key.utf8)] = nil
    }
}
