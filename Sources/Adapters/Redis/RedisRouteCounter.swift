public import AssayDomain
import Synchronization

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``RouteCounter`` on Redis sorted sets (member: path, score: hits).
///
/// Keys, under the prefix: `routes:all` (all time) and `routes:h:{hour}` (one per hour since the epoch, expiring
/// ``HourBucket/retentionSeconds`` after the end of its hour, so after its last hit). An increment is one
/// pipeline: `ZINCRBY` on both sets, plus `EXPIRE` on the bucket when this counter has not set it in the last
/// minute (the deadline is the same for every hit of an hour, so repeating it on every hit would only cost Redis
/// a third more commands; repeating it each minute restores it if the key was deleted and recreated). A window sums its buckets with `ZUNIONSTORE` into a short-lived `routes:tmp:{uuid}`
/// key, read with `ZREVRANGE ... WITHSCORES`, then removed. Redis orders equal scores by member descending; ties
/// are re-ordered here by path ascending, and the members tied at the cut are read in ascending order with
/// `ZRANGEBYSCORE`, so the result equals ``RouteRanking``'s exactly.
public final class RedisRouteCounter: RouteCounter {
    /// The client.
    public let client: RedisClient
    /// Prefix of every key, e.g. `assay:`.
    public let keyPrefix: String
    private let allTimeKey: [UInt8]
    /// The bucket whose deadline this counter set last, and when.
    private let expirySent = Mutex<(hour: Int64, at: ContinuousClock.Instant)?>(nil)

    /// Creates the counter; keys start with `keyPrefix`.
    public init(client: RedisClient, keyPrefix: String = "assay:") {
        self.client = client
        self.keyPrefix = keyPrefix
        self.allTimeKey = Array("\(keyPrefix)routes:all".utf8)
    }

    private func bucketKey(_ hour: Int64) -> [UInt8] { Array("\(keyPrefix)routes:h:\(hour)".utf8) }

    /// Seconds from `time` until the bucket of `hour` may go: ``HourBucket/retentionSeconds`` after the hour ends.
    /// Relative (`EXPIRE`, not `EXPIREAT`), so a counter on an injected clock keeps its buckets as long.
    static func timeToLive(ofBucket hour: Int64, at time: Date) -> Int64 {
        max(1, (hour + 1) * 3_600 + HourBucket.retentionSeconds - Int64(time.timeIntervalSince1970.rounded(.down)))
    }

    public func increment(_ path: String, at time: Date) async throws -> Int64 {
        let member = Array(path.utf8)
        let hour = HourBucket.hour(of: time)
        let bucket = bucketKey(hour)
        var commands: [RedisCommand] = [
            [Self.zincrby, allTimeKey, Self.one, member],
            [Self.zincrby, bucket, Self.one, member],
        ]
        let now = ContinuousClock.now
        let setExpiry = expirySent.withLock { sent in
            guard let sent, sent.hour == hour, now - sent.at < .seconds(60) else { return true }
            return false
        }
        if setExpiry { commands.append([bytes("EXPIRE"), bucket, bytes(String(Self.timeToLive(ofBucket: hour, at: time)))]) }
        let replies = try await client.execute(commands)
        for reply in replies.dropFirst() { _ = try reply.checked() }
        if setExpiry { expirySent.withLock { $0 = (hour, now) } }
        guard let count = try replies[0].count() else { throw RedisCommandError("ZINCRBY returned nothing") }
        return count
    }

    private static let zincrby = bytes("ZINCRBY")
    private static let one = bytes("1")

    public func count(_ path: String) async throws -> Int64 {
        let replies = try await client.execute([[bytes("ZSCORE"), allTimeKey, Array(path.utf8)]])
        return try replies[0].count() ?? 0
    }

    public func top(limit: Int, window: StatsWindow, at time: Date) async throws -> [RouteCount] {
        guard limit > 0 else { return [] }
        guard let hours = window.buckets(at: time) else { return try await top(limit: limit, in: allTimeKey) }
        let union = Array("\(keyPrefix)routes:tmp:\(UUID().uuidString)".utf8)
        let keys = hours.map(bucketKey)
        let replies = try await client.execute([
            [bytes("ZUNIONSTORE"), union, bytes(String(keys.count))] + keys,
            [bytes("PEXPIRE"), union, bytes("10000")],
        ])
        for reply in replies { _ = try reply.checked() }
        do {
            let result = try await top(limit: limit, in: union)
            _ = try? await client.execute([[bytes("UNLINK"), union]])
            return result
        } catch {
            _ = try? await client.execute([[bytes("UNLINK"), union]])
            throw error
        }
    }

    /// The first `limit` members of a sorted set in ``RouteRanking`` order.
    private func top(limit: Int, in key: [UInt8]) async throws -> [RouteCount] {
        // One more than asked: if it ties with the last one, the cut falls inside a group of equal scores.
        let replies = try await client.execute([[bytes("ZREVRANGE"), key, bytes("0"), bytes(String(limit)), bytes("WITHSCORES")]])
        var counts = try Self.pairs(replies[0])
        guard counts.count > limit, let lowest = counts.last?.count, counts[limit - 1].count == lowest else {
            return RouteRanking.top(counts, limit: limit)
        }
        counts.removeAll { $0.count == lowest }
        let tied = try await client.execute([
            [
                bytes("ZRANGEBYSCORE"), key, bytes(String(lowest)), bytes(String(lowest)), bytes("WITHSCORES"), bytes("LIMIT"), bytes("0"),
                bytes(String(limit - counts.count)),
            ]
        ])
        return RouteRanking.top(counts + (try Self.pairs(tied[0])), limit: limit)
    }

    /// `member, score, member, score, ...` as counts.
    private static func pairs(_ reply: RedisReply) throws -> [RouteCount] {
        let elements = try reply.elements()
        guard elements.count % 2 == 0 else { throw RedisCommandError("WITHSCORES reply of odd length") }
        return try stride(from: 0, to: elements.count, by: 2).map { index in
            guard case .string(let member) = elements[index], let count = try elements[index + 1].count() else {
                throw RedisCommandError("unexpected WITHSCORES element")
            }
            return RouteCount(path: String(decoding: member, as: UTF8.self), count: count)
        }
    }
}

/// The UTF-8 bytes of a command word or number.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
