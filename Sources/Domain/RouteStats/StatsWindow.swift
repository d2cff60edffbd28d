#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A time window of route statistics: the last hour, day or week, or all time.
///
/// Hits are kept in hourly buckets, so a window of N hours sums the current (partial) hour's bucket and the N
/// buckets before it: it covers at least the last N hours and at most N + 1.
public enum StatsWindow: String, Sendable, CaseIterable {
    /// About the last hour (`1h`).
    case hour = "1h"
    /// About the last 24 hours (`24h`).
    case day = "24h"
    /// About the last 7 days (`7d`).
    case week = "7d"
    /// Every hit ever counted (`all`).
    case all

    /// Length in hours; `nil` for all time.
    public var hours: Int64? {
        switch self {
        case .hour: 1
        case .day: 24
        case .week: 168
        case .all: nil
        }
    }

    /// The hourly buckets the window sums at `time`, oldest first; `nil` for all time.
    public func buckets(at time: Date) -> ClosedRange<Int64>? {
        guard let hours else { return nil }
        let current = HourBucket.hour(of: time)
        return (current - hours)...current
    }
}

/// Hourly buckets: hour numbers since the Unix epoch, and how long a bucket must be kept.
public enum HourBucket {
    /// Seconds a bucket is kept after its last hit: 7 days + 1 hour, longer than the widest window reads it.
    public static let retentionSeconds: Int64 = 7 * 24 * 3_600 + 3_600

    /// The bucket (hours since 1970-01-01T00:00Z, rounded down) that a hit at `time` belongs to.
    public static func hour(of time: Date) -> Int64 {
        Int64((time.timeIntervalSince1970 / 3_600).rounded(.down))
    }

    /// The oldest bucket any window still reads at `time`.
    public static func oldestReadable(at time: Date) -> Int64 {
        hour(of: time) - (StatsWindow.week.hours ?? 0)
    }
}
