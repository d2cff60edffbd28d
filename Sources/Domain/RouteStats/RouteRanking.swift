/// The order of route statistics: most hits first, ties by path in ascending UTF-8 byte order (as Redis orders
/// members of equal score).
public enum RouteRanking {
    /// Whether `lhs` comes before `rhs`.
    public static func ranksBefore(_ lhs: RouteCount, _ rhs: RouteCount) -> Bool {
        if lhs.count != rhs.count { return lhs.count > rhs.count }
        return lhs.path.utf8.lexicographicallyPrecedes(rhs.path.utf8)
    }

    /// The first `limit` counts in ranking order (counts of zero or less are left out).
    public static func top(_ counts: some Sequence<RouteCount>, limit: Int) -> [RouteCount] {
        guard limit > 0 else { return [] }
        return Array(counts.filter { $0.count > 0 }.sorted(by: ranksBefore).prefix(limit))
    }
}
