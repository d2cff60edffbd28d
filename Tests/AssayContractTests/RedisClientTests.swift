import AssayDomain
import AssayRedis
import Foundation
import Testing

@Suite("Redis client", .enabled(if: TestRedis.url != nil))
struct RedisClientTests {
    /// Many callers at once on few threads: every caller gets its own replies, in order, and the pool ends idle.
    @Test func concurrentCallersGetTheirOwnRepliesAndThePoolEndsIdle() async throws {
        try await TestRedis.withFreshPrefix { _, prefix in
            let client = RedisClient(settings: try RedisSettings(url: try #require(TestRedis.url), poolSize: 2))
            defer { client.shutdown() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<2_000 {
                    group.addTask {
                        let key = Array("\(prefix)caller:\(caller)".utf8)
                        let replies = try await client.execute([
                            [Array("SET".utf8), key, Array("value-\(caller)".utf8)],
                            [Array("INCRBY".utf8), Array("\(prefix)total".utf8), Array("\(caller)".utf8)],
                            [Array("GET".utf8), key],
                        ])
                        #expect(replies.count == 3)
                        #expect(replies[0] == .status("OK"))
                        #expect(replies[2] == .string(Array("value-\(caller)".utf8)))
                    }
                }
                try await group.waitForAll()
            }
            let total = try await client.execute([[Array("GET".utf8), Array("\(prefix)total".utf8)]])
            #expect(total[0] == .string(Array(String((0..<2_000).reduce(0, +)).utf8)))
            let usage = client.usage
            #expect(usage.threads == 2)
            #expect((1...2).contains(usage.connections))
            #expect(usage.queued == 0)
            // A worker counts as busy until it takes its next batch, which it may not have done yet.
            #expect(usage.busy <= 2)
        }
    }

    /// An hour bucket expires `retentionSeconds` after the end of its hour, however often it is hit.
    @Test func hourBucketsExpireAfterTheRetentionFollowingTheirHour() async throws {
        try await TestRedis.withFreshPrefix { client, prefix in
            let counter = RedisRouteCounter(client: client, keyPrefix: prefix)
            let now = Date()
            for _ in 0..<3 { _ = try await counter.increment("/x", at: now) }
            let hour = HourBucket.hour(of: now)
            let ttl = try await client.execute([[Array("TTL".utf8), Array("\(prefix)routes:h:\(hour)".utf8)]])
            guard case .integer(let seconds) = ttl[0] else {
                Issue.record("TTL reply \(ttl)")
                return
            }
            // Set when the increment ran, read now: the time between (long when the suite is busy) has passed.
            let expected = (hour + 1) * 3_600 + HourBucket.retentionSeconds - Int64(now.timeIntervalSince1970)
            let elapsed = Int64(Date().timeIntervalSince(now).rounded(.up))
            #expect((expected - elapsed - 1)...(expected + 1) ~= seconds, "TTL \(seconds), expected \(expected) less up to \(elapsed) s")
            // The all-time set never expires.
            #expect(try await client.execute([[Array("TTL".utf8), Array("\(prefix)routes:all".utf8)]])[0] == .integer(-1))
        }
    }
}
