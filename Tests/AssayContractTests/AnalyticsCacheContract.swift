import AssayDomain
import AssayInMemory
import AssayRedis
import Foundation
import Testing

/// Lends a fresh, empty cache of one adapter to a test, with a way to let time pass: the in-memory cache's clock
/// is moved by hand, Redis' own clock really waits.
struct AnalyticsCacheFactory: Sendable, CustomTestStringConvertible {
    typealias Advance = @Sendable (TimeInterval) async throws -> Void
    let name: String
    let use: @Sendable (_ body: @Sendable (any AnalyticsCache, Advance) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static var all: [AnalyticsCacheFactory] {
        let inMemory = AnalyticsCacheFactory(name: "in-memory") { body in
            let clock = TestClock(Date(timeIntervalSince1970: 1_700_000_000))
            try await body(InMemoryAnalyticsCache(clock: clock)) { clock.advance(by: $0) }
        }
        let redis = AnalyticsCacheFactory(name: "redis") { body in
            try await TestRedis.withFreshPrefix { client, prefix in
                try await body(RedisAnalyticsCache(client: client, keyPrefix: prefix)) { try await Task.sleep(for: .seconds($0)) }
            }
        }
        return TestRedis.url == nil ? [inMemory] : [inMemory, redis]
    }
}

@Suite("AnalyticsCache contract")
struct AnalyticsCacheContract {
    @Test(arguments: AnalyticsCacheFactory.all)
    func setGetReplaceDelete(factory: AnalyticsCacheFactory) async throws {
        try await factory.use { cache, _ in
            let binary: [UInt8] = [0, 1, 2, 0xFF, 0, 13, 10]
            #expect(try await cache.get("views:1") == nil)
            try await cache.set("views:1", value: binary, ttl: 60)
            #expect(try await cache.get("views:1") == binary)
            try await cache.set("views:1", value: Array(#"{"views":3}"#.utf8), ttl: 60)
            #expect(try await cache.get("views:1") == Array(#"{"views":3}"#.utf8))
            try await cache.set("empty", value: [], ttl: 60)
            #expect(try await cache.get("empty") == [])
            try await cache.delete("views:1")
            try await cache.delete("never-set")
            #expect(try await cache.get("views:1") == nil)
            #expect(try await cache.get("empty") == [])
        }
    }

    @Test(arguments: AnalyticsCacheFactory.all)
    func entriesExpireAfterTheirTTL(factory: AnalyticsCacheFactory) async throws {
        try await factory.use { cache, advance in
            // Redis expires by its own clock, and a loaded machine can pause this task for seconds: the read-back is
            // only checked when it came well within the TTL (in memory, where time is moved by hand, always).
            let written = ContinuousClock.now
            try await cache.set("short", value: [1], ttl: 3)
            try await cache.set("long", value: [2], ttl: 60)
            let readBack = try await cache.get("short")
            if ContinuousClock.now - written < .seconds(2) { #expect(readBack == [1]) }
            try await advance(3.3)
            #expect(try await cache.get("short") == nil)
            #expect(try await cache.get("long") == [2])
            // Setting again renews the expiry.
            try await cache.set("short", value: [3], ttl: 60)
            try await advance(3.3)
            #expect(try await cache.get("short") == [3])
        }
    }

    @Test(arguments: AnalyticsCacheFactory.all)
    func keysAreComparedAsBytes(factory: AnalyticsCacheFactory) async throws {
        try await factory.use { cache, _ in
            try await cache.set("caf\u{E9}", value: [1], ttl: 60)
            try await cache.set("cafe\u{301}", value: [2], ttl: 60)
            #expect(try await cache.get("caf\u{E9}") == [1])
            #expect(try await cache.get("cafe\u{301}") == [2])
        }
    }
}
