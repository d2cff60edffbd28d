/// Route-statistics input a client can correct.
public enum RouteStatsError: Error, Sendable, Hashable {
    /// The window is not one of `1h`, `24h`, `7d`, `all`.
    case invalidWindow(String)
    /// The normalised path is longer than ``RoutePath/maximumBytes``.
    case pathTooLong(bytes: Int)
    /// The path cannot be counted; the reason says why.
    case invalidPath(String)
}
