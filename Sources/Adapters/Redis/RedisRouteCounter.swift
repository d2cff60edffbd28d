public import AssayDomain

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// ``RouteCounter`` on Redis sorted sets (member: path, score: hits).
///
/// Keys, under the prefix: `routes:all` (all time) and `routes:h:{hour}` (one per hour since the epoch, expiring
/// ``HourBucket/retentionSeconds`` after its last hit). An increment is one pipeline: `ZINCRBY` on both sets and
/// `EXPIRE` on the bucket. A window sums its buckets with `ZUNIONSTORE` into a short-lived `routes:tmp:{uuid}`
/// key, read with `ZREVRANGE ... WITHSCORES`, then removed. Redis orders equal scores by member descending; ties
/// are re-ordered here by path ascending, and the members tied at the cut are read in ascending order with
/// `ZRANGEBYSCORE`, so the result equals ``RouteRanking``'s exactly.
public struct RedisRouteCounter: RouteCounter {
    /// The client.
    public let client: RedisClient
    /// Prefix of every key, e.g. `assay:`.
    public let keyPrefix: String

    /// Creates the counter; keys start with `keyPrefix`.
    public init(client: RedisClient, keyPrefix: String = "assay:") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    private var allTimeKey: [UInt8] { Array("\(keyPrefix)routes:all".utf8) }

    private func bucketKey(_ hour: Int64) -> [UInt8] { Array("\(keyPrefix)routes:h:\(hour)".utf8) }

    public func increment(_ path: String, at time: Date) async throws -> Int64 {
        let member = Array(path.utf8)
        let bucket = bucketKey(HourBucket.hour(of: time))
        let replies = try await client.execute([
            [bytes("ZINCRBY"), allTimeKey, bytes("1"), member],
            [bytes("ZINCRBY"), bucket, bytes("1"), member],
            [bytes("EXPIRE"), bucket, bytes(String(HourBucket.retentionSeconds))],
        ])
        for reply in replies.dropFirst() { _ = try reply.checked() }
        guard let count = try replies[0].count() else { throw RedisCommandError("ZINCRBY returned nothing") }
        return count
    }

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
            [bytes("ZRANGEBYSCORE"), key, bytes(String(lowest)), bytes(String(lowest)), bytes("WITHSCORES"), bytes("LIMIT"), bytes("0"),
             bytes(String(limit - counts.count))]
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
