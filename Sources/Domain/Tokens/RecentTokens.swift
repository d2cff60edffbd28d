import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Tokens found in the store recently, by hash; bounded in size. A lock, not an actor: it is read on every
/// authenticated request, and an actor would add an executor hop to each.
final class RecentTokens: Sendable {
    private let lifetime: TimeInterval
    private let entries = Mutex<[[UInt8]: Entry]>([:])
    private static let capacity = 10_000

    private struct Entry {
        var token: AccessToken
        var fetched: Date
    }

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    func token(hash: [UInt8], at time: Date) -> AccessToken? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard time.timeIntervalSince(entry.fetched) < lifetime else {
                entries[hash] = nil
                return nil
            }
            return entry.token
        }
    }

    func remember(_ token: AccessToken, at time: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity, entries[token.hash] == nil { entries.removeAll(keepingCapacity: true) }
            let fetched = entries[token.hash]?.fetched ?? time
            entries[token.hash] = Entry(token: token, fetched: fetched)
        }
    }

    func forget(id: Int64) {
        entries.withLock { entries in entries = entries.filter { $0.value.token.id != id } }
    }
}
