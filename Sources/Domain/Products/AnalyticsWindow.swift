#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The time range an analytics answer covers: `days` days ending at the end of the current minute.
///
/// Built from one clock reading per request. Aligning the end to the minute makes every request within one
/// minute ask about the same range, so they share one cache entry and one computation; including the current
/// minute means a view recorded a moment ago is already counted. Events count when `start <= time < end`.
public struct AnalyticsWindow: Sendable, Hashable {
    /// Allowed lengths in days.
    public static let allowedDays = 1...365
    /// Length when the client names none.
    public static let defaultDays = 30

    /// Length in days.
    public let days: Int
    /// First instant inside the window.
    public let start: Date
    /// First instant after the window: the start of the minute after `now`.
    public let end: Date

    /// The window of `days` days (default 30) ending at the end of the minute containing `now`.
    public init(days: Int?, endingAfter now: Date) throws(ProductError) {
        let days = days ?? Self.defaultDays
        guard Self.allowedDays.contains(days) else { throw .daysOutOfRange(days) }
        let minute = (now.timeIntervalSince1970 / 60).rounded(.down)
        self.days = days
        self.end = Date(timeIntervalSince1970: (minute + 1) * 60)
        self.start = end.addingTimeInterval(-Double(days) * 86_400)
    }

    /// Whether `time` lies in the window.
    public func contains(_ time: Date) -> Bool {
        start <= time && time < end
    }

    /// The end as whole minutes since 1970, the part of cache keys that moves with time.
    public var endMinute: Int64 { Int64((end.timeIntervalSince1970 / 60).rounded(.down)) }
}

/// What leaders are ranked by.
public enum TopMetric: String, Sendable, CaseIterable {
    /// Views in the window, most first.
    case views
    /// Total cost in the window, highest first.
    case cost
}

/// The figures of one product in one window, before any derived value.
public struct AnalyticsFigures: Sendable, Hashable {
    /// Views in the window.
    public var views: Int
    /// Distinct user ids among those views.
    public var uniqueViewers: Int
    /// Sum of the costs in the window.
    public var totalCost: Money

    /// Creates figures.
    public init(views: Int, uniqueViewers: Int, totalCost: Money) {
        self.views = views
        self.uniqueViewers = uniqueViewers
        self.totalCost = totalCost
    }

    /// Total cost divided by views; `nil` without views.
    public var costPerView: Double? {
        views == 0 ? nil : totalCost.units / Double(views)
    }
}

/// The ranking rule every adapter follows: highest metric first, then lowest product id; only products with a
/// metric above zero are leaders.
public enum ProductRanking {
    /// Whether `lhs` ranks before `rhs` by `metric`.
    public static func ranksBefore(_ lhs: ProductSummary, _ rhs: ProductSummary, by metric: TopMetric) -> Bool {
        let (left, right) = metric == .views ? (Int64(lhs.views), Int64(rhs.views)) : (lhs.totalCost.cents, rhs.totalCost.cents)
        return left != right ? left > right : lhs.product.id < rhs.product.id
    }

    /// Whether a row qualifies as a leader by `metric`.
    public static func qualifies(_ row: ProductSummary, by metric: TopMetric) -> Bool {
        metric == .views ? row.views > 0 : row.totalCost.cents > 0
    }
}
