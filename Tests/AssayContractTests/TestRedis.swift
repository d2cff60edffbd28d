import AssayDomain
import AssayRedis
import Foundation
import Synchronization
import Testing

/// The throw-away Redis that `make test` starts (`ASSAY_TEST_REDIS_URL`). Each test uses keys under a prefix of
/// its own, deleted afterwards, so tests can run in parallel on one server.
enum TestRedis {
    static var url: String? { ProcessInfo.processInfo.environment["ASSAY_TEST_REDIS_URL"] }

    static func withFreshPrefix(_ body: @Sendable (RedisClient, String) async throws -> Void) async throws {
        let url = try #require(url, "ASSAY_TEST_REDIS_URL is not set")
        let client = RedisClient(settings: try RedisSettings(url: url, poolSize: 2))
        defer { client.shutdown() }
        let prefix = "test:\(UUID().uuidString):"
        var failure: (any Error)?
        do { try await body(client, prefix) } catch { failure = error }
        try await deleteKeys(prefix: prefix, client: client)
        if let failure { throw failure }
    }

    /// Deletes every key starting with `prefix` (SCAN, then UNLINK).
    static func deleteKeys(prefix: String, client: RedisClient) async throws {
        var cursor = "0"
        repeat {
            let reply = try await client.execute([["SCAN", cursor, "MATCH", "\(prefix)*", "COUNT", "1000"].map { Array($0.utf8) }])
            guard case .array(let parts) = reply[0], parts.count == 2, case .string(let next) = parts[0], case .array(let keys) = parts[1] else {
                Issue.record("unexpected SCAN reply \(reply)")
                return
            }
            let names = keys.compactMap { key -> [UInt8]? in if case .string(let name) = key { name } else { nil } }
            if !names.isEmpty { _ = try await client.execute([[Array("UNLINK".utf8)] + names]) }
            cursor = String(decoding: next, as: UTF8.self)
        } while cursor != "0"
    }
}

/// A clock the test moves by hand.
final class TestClock: WallClock {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Redis test service")
struct RedisTestService {
    /// CI must run the contract suites on Redis: a missing server is a failure there, never a silent skip.
    @Test func redisIsAvailableInCI() {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(TestRedis.url != nil, "CI runs without ASSAY_TEST_REDIS_URL: make test must start Redis")
        }
    }
}
