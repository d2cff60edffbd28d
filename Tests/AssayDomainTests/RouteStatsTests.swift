import AssayDomain
import Foundation
import Testing

@Suite("Route statistics rules")
struct RouteStatsTests {
    @Test func pathsAreNormalised() throws {
        #expect(try RoutePath("users//42///").value == "/users/42")
        #expect(try RoutePath("/Users/42").value == "/Users/42")
        #expect(try RoutePath("").value == "/")
        #expect(try RoutePath("///").value == "/")
        #expect(try RoutePath("a b/é").value == "/a b/é")
        #expect(try RoutePath(String(repeating: "x", count: 1_023)).value.utf8.count == 1_024)
    }

    @Test func badPathsAreRefused() {
        #expect(throws: RouteStatsError.pathTooLong(bytes: 1_025)) { try RoutePath(String(repeating: "x", count: 1_024)) }
        #expect(throws: RouteStatsError.pathTooLong(bytes: 1_025)) { try RoutePath(String(repeating: "é", count: 512)) }
        #expect(throws: RouteStatsError.self) { try RoutePath("a\u{0}b") }
        #expect(throws: RouteStatsError.self) { try RoutePath("a\nb") }
    }

    @Test func windowsCoverTheCurrentHourAndTheHoursBefore() throws {
        let time = Date(timeIntervalSince1970: 7_200 + 59)
        #expect(HourBucket.hour(of: time) == 2)
        #expect(HourBucket.hour(of: Date(timeIntervalSince1970: 7_199.9)) == 1)
        #expect(HourBucket.hour(of: Date(timeIntervalSince1970: -1)) == -1)
        #expect(StatsWindow.hour.buckets(at: time) == 1...2)
        #expect(StatsWindow.day.buckets(at: time) == -22...2)
        #expect(StatsWindow.week.buckets(at: time)?.count == 169)
        #expect(StatsWindow.all.buckets(at: time) == nil)
        // A bucket lives longer than the widest window reads it after its last hit.
        #expect(HourBucket.retentionSeconds >= 169 * 3_600 - 3_600)
        #expect(HourBucket.oldestReadable(at: time) == StatsWindow.week.buckets(at: time)?.lowerBound)
        #expect(try RouteStatistics.window(nil) == .all)
        #expect(try RouteStatistics.window("24h") == .day)
        #expect(throws: RouteStatsError.invalidWindow("1d")) { try RouteStatistics.window("1d") }
    }

    @Test func rankingIsByCountThenPathBytes() {
        let counts = [("/b", 1), ("/a", 1), ("/Z", 1), ("/c", 5), ("/é", 1), ("/zero", 0)].map { RouteCount(path: $0.0, count: Int64($0.1)) }
        #expect(RouteRanking.top(counts, limit: 10).map(\.path) == ["/c", "/Z", "/a", "/b", "/é"])
        #expect(RouteRanking.top(counts, limit: 2).map(\.path) == ["/c", "/Z"])
        #expect(RouteRanking.top(counts, limit: 0).isEmpty)
    }

    @Test func cacheExpiryIsWholeMillisecondsWithinBounds() {
        #expect(CacheExpiry.milliseconds(0.0001) == 1)
        #expect(CacheExpiry.milliseconds(1.5) == 1_500)
        #expect(CacheExpiry.milliseconds(-3) == 1)
        #expect(CacheExpiry.milliseconds(.infinity) == CacheExpiry.maximumMilliseconds)
        #expect(CacheExpiry.milliseconds(.nan) == 1)
    }
}
