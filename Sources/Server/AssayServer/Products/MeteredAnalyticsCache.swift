import AssayDomain
import Foundation
import Prometheus

/// An ``AnalyticsCache`` that counts its lookups in ``AppMetrics`` by the kind of entry (``AnalyticsEntryKind``)
/// and outcome: hit, miss or error.
struct MeteredAnalyticsCache: AnalyticsCache {
    let base: any AnalyticsCache
    /// Counters by kind, then outcome.
    private let lookups: [AnalyticsEntryKind: (hit: Counter, miss: Counter, error: Counter)]

    init(_ base: any AnalyticsCache, metrics: AppMetrics) {
        self.base = base
        self.lookups = Dictionary(
            uniqueKeysWithValues: AnalyticsEntryKind.allCases.map { kind in
                (
                    kind,
                    (
                        hit: metrics.cacheLookups(cache: "analytics", kind: kind.rawValue, outcome: "hit"),
                        miss: metrics.cacheLookups(cache: "analytics", kind: kind.rawValue, outcome: "miss"),
                        error: metrics.cacheLookups(cache: "analytics", kind: kind.rawValue, outcome: "error")
                    )
                )
            })
    }

    func get(_ key: String) async throws -> [UInt8]? {
        let counters = lookups[AnalyticsEntryKind(key: key)]
        do {
            let value = try await base.get(key)
            (value == nil ? counters?.miss : counters?.hit)?.increment()
            return value
        } catch {
            counters?.error.increment()
            throw error
        }
    }

    func set(_ key: String, value: [UInt8], ttl: TimeInterval) async throws {
        try await base.set(key, value: value, ttl: ttl)
    }

    func delete(_ key: String) async throws {
        try await base.delete(key)
    }
}
