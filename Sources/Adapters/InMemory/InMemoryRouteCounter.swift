public import AssayDomain

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``RouteCounter`` kept in memory: all-time counts plus hourly buckets, like the Redis adapter's sorted sets.
///
/// Paths are keyed by their UTF-8 bytes, so two strings Swift deems equal (precomposed and decomposed accents)
/// stay two paths, as in Redis. Buckets older than any window reads are dropped as time moves on.
public actor InMemoryRouteCounter: RouteCounter {
    private var allTime: [[UInt8]: Int64] = [:]
    private var buckets: [Int64: [[UInt8]: Int64]] = [:]

    /// Creates an empty counter.
    public init() {}

    public func increment(_ path: String, at time: Date) -> Int64 {
        let key = Array(path.utf8)
        let hour = HourBucket.hour(of: time)
        buckets[hour, default: [:]][key, default: 0] += 1
        let oldest = HourBucket.oldestReadable(at: time)
        if buckets.count > 169 { buckets = buckets.filter { $0.key >= oldest } }
        allTime[key, default: 0] += 1
        return allTime[key, default: 0]
    }

    public func top(limit: Int, window: StatsWindow, at time: Date) -> [RouteCount] {
        guard let range = window.buckets(at: time) else { return Self.ranked(allTime, limit: limit) }
        var sums: [[UInt8]: Int64] = [:]
        for hour in range {
            for (key, count) in buckets[hour] ?? [:] { sums[key, default: 0] += count }
        }
        return Self.ranked(sums, limit: limit)
    }

    public func count(_ path: String) -> Int64 {
        allTime[Array(path.utf8)] ?? 0
    }

    private static func ranked(_ counts: [[UInt8]: Int64], limit: Int) -> [RouteCount] {
        RouteRanking.top(counts.lazy.map { RouteCount(path: String(decoding: $0.key, as: UTF8.self), count: $0.value) }, limit: limit)
    }
}
