public import AssayDomain

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``AnalyticsCache`` on Redis strings: `SET key value PX ms`, `GET`, `DEL`, under the key prefix plus `cache:`.
/// Redis expires entries itself.
public struct RedisAnalyticsCache: AnalyticsCache {
    /// The client.
    public let client: RedisClient
    /// Prefix of every key, e.g. `assay:`.
    public let keyPrefix: String

    /// Creates the cache; keys start with `keyPrefix` followed by `cache:`.
    public init(client: RedisClient, keyPrefix: String = "assay:") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    private func key(_ key: String) -> [UInt8] { Array("\(keyPrefix)cache:".utf8) + Array(key.utf8) }

    public func get(_ key: String) async throws -> [UInt8]? {
        switch try await client.execute([[bytes("GET"), self.key(key)]])[0].checked() {
        case .string(let value): return value
        case .null: return nil
        case let other: throw RedisCommandError("unexpected GET reply \(other)")
        }
    }

    public func set(_ key: String, value: [UInt8], ttl: TimeInterval) async throws {
        let milliseconds = String(CacheExpiry.milliseconds(ttl))
        _ = try await client.execute([[bytes("SET"), self.key(key), value, bytes("PX"), bytes(milliseconds)]])[0].checked()
    }

    public func delete(_ key: String) async throws {
        _ = try await client.execute([[bytes("DEL"), self.key(key)]])[0].checked()
    }
}
