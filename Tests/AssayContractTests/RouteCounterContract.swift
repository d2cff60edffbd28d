import AssayDomain
import AssayInMemory
import AssayRedis
import Foundation
import Testing

/// Lends a fresh, empty route counter of one adapter to a test.
struct RouteCounterFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (any RouteCounter) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static var all: [RouteCounterFactory] {
        let inMemory = RouteCounterFactory(name: "in-memory") { body in try await body(InMemoryRouteCounter()) }
        let redis = RouteCounterFactory(name: "redis") { body in
            try await TestRedis.withFreshPrefix { client, prefix in try await body(RedisRouteCounter(client: client, keyPrefix: prefix)) }
        }
        return TestRedis.url == nil ? [inMemory] : [inMemory, redis]
    }
}

/// 2023-11-14T22:30:00Z: half past an hour, so hour boundaries are easy to place.
private let now = Date(timeIntervalSince1970: TimeInterval(1_700_000_000 - 1_700_000_000 % 3_600 + 1_800))

private func hits(_ counter: any RouteCounter, _ path: String, _ times: Int, at time: Date = now) async throws {
    for _ in 0..<times { _ = try await counter.increment(path, at: time) }
}

@Suite("RouteCounter contract")
struct RouteCounterContract {
    @Test(arguments: RouteCounterFactory.all)
    func incrementReturnsTheAllTimeCount(factory: RouteCounterFactory) async throws {
        try await factory.use { counter async throws in
            #expect(try await counter.increment("/a", at: now) == 1)
            #expect(try await counter.increment("/a", at: now.addingTimeInterval(-30 * 86_400)) == 2)
            #expect(try await counter.increment("/a", at: now) == 3)
            #expect(try await counter.count("/a") == 3)
            #expect(try await counter.count("/never") == 0)
            #expect(try await counter.top(limit: 10, window: .all, at: now) == [RouteCount(path: "/a", count: 3)])
        }
    }

    @Test(arguments: RouteCounterFactory.all)
    func mostHitsFirstThenPathAscendingByBytes(factory: RouteCounterFactory) async throws {
        try await factory.use { counter in
            try await hits(counter, "/b", 2)
            try await hits(counter, "/c", 3)
            try await hits(counter, "/a", 2)
            try await hits(counter, "/B", 2)
            try await hits(counter, "/é", 2)
            let expected = [("/c", 3), ("/B", 2), ("/a", 2), ("/b", 2), ("/é", 2)].map { RouteCount(path: $0.0, count: Int64($0.1)) }
            #expect(try await counter.top(limit: 10, window: .all, at: now) == expected)
            #expect(try await counter.top(limit: 10, window: .hour, at: now) == expected)
            #expect(try await counter.top(limit: 3, window: .all, at: now) == Array(expected.prefix(3)))
            #expect(try await counter.top(limit: 1, window: .day, at: now) == Array(expected.prefix(1)))
        }
    }

    /// Redis returns equal scores in descending member order; a cut inside a tie must keep the smallest paths.
    @Test(arguments: RouteCounterFactory.all)
    func aCutInsideATieKeepsTheSmallestPaths(factory: RouteCounterFactory) async throws {
        try await factory.use { counter in
            try await hits(counter, "/top", 5)
            for index in [7, 3, 9, 0, 5, 1, 8, 2, 6, 4] { try await hits(counter, "/p\(index)", 1) }
            try await hits(counter, "/zz", 2)
            let expected =
                [RouteCount(path: "/top", count: 5), RouteCount(path: "/zz", count: 2)]
                + (0..<3).map { RouteCount(path: "/p\($0)", count: 1) }
            for window in StatsWindow.allCases {
                #expect(try await counter.top(limit: 5, window: window, at: now) == expected, "\(window)")
            }
            #expect(try await counter.top(limit: 500, window: .all, at: now).count == 12)
        }
    }

    /// A window of N hours sums the current hour's bucket and the N before it.
    @Test(arguments: RouteCounterFactory.all)
    func windowsSumTheirHourlyBuckets(factory: RouteCounterFactory) async throws {
        try await factory.use { counter in
            let hour: TimeInterval = 3_600
            try await hits(counter, "/now", 1)
            try await hits(counter, "/previous-hour", 2, at: now.addingTimeInterval(-1.5 * hour))
            try await hits(counter, "/two-hours-ago", 3, at: now.addingTimeInterval(-2 * hour))
            try await hits(counter, "/yesterday", 4, at: now.addingTimeInterval(-24.5 * hour))
            try await hits(counter, "/last-week", 5, at: now.addingTimeInterval(-168.5 * hour))
            try await hits(counter, "/long-ago", 6, at: now.addingTimeInterval(-169 * hour))
            try await hits(counter, "/future", 7, at: now.addingTimeInterval(hour))

            func paths(_ window: StatsWindow) async throws -> [String] {
                try await counter.top(limit: 500, window: window, at: now).map(\.path)
            }
            #expect(try await paths(.hour) == ["/previous-hour", "/now"])
            #expect(try await paths(.day) == ["/yesterday", "/two-hours-ago", "/previous-hour", "/now"])
            #expect(try await paths(.week) == ["/last-week", "/yesterday", "/two-hours-ago", "/previous-hour", "/now"])
            #expect(try await paths(.all) == ["/future", "/long-ago", "/last-week", "/yesterday", "/two-hours-ago", "/previous-hour", "/now"])
            // An hour later the oldest buckets drop out of the windows.
            let later = now.addingTimeInterval(hour)
            #expect(try await counter.top(limit: 500, window: .hour, at: later).map(\.path) == ["/future", "/now"])
        }
    }

    /// Paths are bytes: Unicode-equivalent spellings stay apart, and any character is stored as sent.
    @Test(arguments: RouteCounterFactory.all)
    func pathsAreComparedAsBytes(factory: RouteCounterFactory) async throws {
        try await factory.use { counter in
            let composed = "/caf\u{E9}"
            let decomposed = "/cafe\u{301}"
            let odd = "/a b/\"quoted\"/%25/🧬/*"
            _ = try await counter.increment(composed, at: now)
            _ = try await counter.increment(decomposed, at: now)
            _ = try await counter.increment(decomposed, at: now)
            _ = try await counter.increment(odd, at: now)
            #expect(try await counter.count(composed) == 1)
            #expect(try await counter.count(decomposed) == 2)
            let top = try await counter.top(limit: 10, window: .all, at: now)
            #expect(top.map(\.path.utf8).map(Array.init) == [decomposed, odd, composed].map { Array($0.utf8) })
        }
    }
}
