#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One path and its number of hits.
public struct RouteCount: Sendable, Hashable {
    /// The normalised path (see ``RoutePath``).
    public var path: String
    /// Hits counted for the path.
    public var count: Int64

    /// Creates a path count.
    public init(path: String, count: Int64) {
        self.path = path
        self.count = count
    }
}

/// Hit counters per path, all-time and in hourly buckets. Every adapter passes the same contract suite.
///
/// Paths are compared byte for byte (UTF-8), never by Unicode equivalence, so every adapter agrees with Redis.
/// Time is passed in, so windows are deterministic under an injected ``WallClock``.
public protocol RouteCounter: Sendable {
    /// Counts one hit of `path` at `time` and returns the path's all-time count, this hit included.
    func increment(_ path: String, at time: Date) async throws -> Int64
    /// At most `limit` paths with hits in `window` as seen at `time`, ordered by ``RouteRanking``.
    func top(limit: Int, window: StatsWindow, at time: Date) async throws -> [RouteCount]
    /// The all-time count of `path`; 0 when it was never hit.
    func count(_ path: String) async throws -> Int64
}
