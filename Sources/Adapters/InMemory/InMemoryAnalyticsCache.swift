public import AssayDomain
import Synchronization

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``AnalyticsCache`` kept in memory. Expiry follows the injected clock, so tests control time. Keys are compared
/// byte for byte (UTF-8), as Redis compares them. A lock, not an actor: a warm analytics answer reads it twice,
/// and each actor call would be an executor hop.
public final class InMemoryAnalyticsCache: AnalyticsCache {
    private let state = Mutex(State())
    private let clock: any WallClock

    private struct State {
        var entries: [[UInt8]: Entry] = [:]
        /// When the number of entries reaches this, expired ones are swept before adding another.
        var sweepAt = 1_024
    }

    private struct Entry {
        var value: [UInt8]
        var expires: Date
    }

    /// Creates an empty cache that reads time from `clock`.
    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    public func get(_ key: String) -> [UInt8]? {
        let key = Array(key.utf8)
        let now = clock.now()
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard now < entry.expires else {
                state.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func set(_ key: String, value: [UInt8], ttl: TimeInterval) {
        let now = clock.now()
        let entry = Entry(value: value, expires: now.addingTimeInterval(Double(CacheExpiry.milliseconds(ttl)) / 1_000))
        state.withLock { state in
            if state.entries.count >= state.sweepAt {
                state.entries = state.entries.filter { now < $0.value.expires }
                state.sweepAt = max(1_024, state.entries.count * 2)
            }
            state.entries[Array(key.utf8)] = entry
        }
    }

    public func delete(_ key: String) {
        state.withLock { $0.entries[Array(key.utf8)] = nil }
    }
}
