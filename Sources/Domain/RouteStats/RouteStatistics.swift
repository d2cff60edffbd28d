/// The route-statistics use cases: count a hit, read the leaders of a window, over a ``RouteCounter``.
public struct RouteStatistics: Sendable {
    /// Paths per page when the client names no limit.
    public static var defaultLimit: Int { PageLimits.defaultLimit }
    /// Most paths a client may ask for.
    public static var maximumLimit: Int { PageLimits.maximumLimit }

    /// The counter port.
    public let counter: any RouteCounter
    /// Source of "now" for buckets and windows.
    public let clock: any WallClock

    /// Creates the use cases over a counter and a clock.
    public init(counter: any RouteCounter, clock: any WallClock = SystemClock()) {
        self.counter = counter
        self.clock = clock
    }

    /// Normalises a percent-decoded path, counts one hit of it now, and returns its all-time count.
    public func hit(_ rawPath: String) async throws -> RouteCount {
        let path = try RoutePath(rawPath).value
        return RouteCount(path: path, count: try await counter.increment(path, at: clock.now()))
    }

    /// The all-time count of a path (normalised first).
    public func count(_ rawPath: String) async throws -> RouteCount {
        let path = try RoutePath(rawPath).value
        return RouteCount(path: path, count: try await counter.count(path))
    }

    /// Validates a window name (`1h`, `24h`, `7d`, `all`; default `all`).
    public static func window(_ name: String?) throws(RouteStatsError) -> StatsWindow {
        guard let name, !name.isEmpty else { return .all }
        guard let window = StatsWindow(rawValue: name) else { throw .invalidWindow(name) }
        return window
    }

    /// The paths with most hits in the window, at most `limit` (default 50, 1...500), ranked by ``RouteRanking``.
    public func top(limit: Int?, window: String?) async throws -> (window: StatsWindow, items: [RouteCount]) {
        let limit = limit ?? Self.defaultLimit
        guard (1...Self.maximumLimit).contains(limit) else { throw PaginationError.limitOutOfRange(limit) }
        let window = try Self.window(window)
        return (window, try await counter.top(limit: limit, window: window, at: clock.now()))
    }
}
