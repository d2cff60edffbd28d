import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import NIOCore
import PostgresNIO
import Testing

/// Lends a fresh, empty token store of one adapter to a test.
struct TokenStoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (any TokenStore) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static var all: [TokenStoreFactory] {
        let inMemory = TokenStoreFactory(name: "in-memory") { body in try await body(InMemoryTokenStore()) }
        let postgres = TokenStoreFactory(name: "postgres") { body in
            try await TestDatabase.withFreshSchema { client, logger in
                try await body(PostgresTokenStore(database: PostgresGateway(client: client, logger: logger)))
            }
        }
        return TestDatabase.url == nil ? [inMemory] : [inMemory, postgres]
    }
}

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

private func newToken(_ name: String, hashByte: UInt8, scopes: Set<TokenScope> = [.read], expiresAt: Date? = nil) -> NewAccessToken {
    NewAccessToken(
        name: name, user: "user-\(hashByte)", scopes: scopes, prefix: "assay_\(name)", hash: Array(repeating: hashByte, count: 32), createdAt: t0,
        expiresAt: expiresAt)
}

@Suite("TokenStore contract")
struct TokenStoreContract {
    @Test(arguments: TokenStoreFactory.all)
    func insertThenFindByHash(factory: TokenStoreFactory) async throws {
        try await factory.use { store in
            let stored = try await store.insert(newToken("ci", hashByte: 1, scopes: [.read, .write], expiresAt: t0.addingTimeInterval(3_600)))
            #expect(stored.name == "ci" && stored.user == "user-1" && stored.scopes == [.read, .write] && stored.prefix == "assay_ci")
            #expect(stored.createdAt == t0 && stored.expiresAt == t0.addingTimeInterval(3_600))
            #expect(stored.lastUsedAt == nil && stored.revokedAt == nil)
            #expect(try await store.token(hash: Array(repeating: 1, count: 32)) == stored)
            #expect(try await store.token(hash: Array(repeating: 2, count: 32)) == nil)
            #expect(try await store.count() == 1)
        }
    }

    @Test(arguments: TokenStoreFactory.all)
    func hashesAreUnique(factory: TokenStoreFactory) async throws {
        try await factory.use { store in
            _ = try await store.insert(newToken("a", hashByte: 9))
            await #expect(throws: (any Error).self) { try await store.insert(newToken("b", hashByte: 9)) }
            #expect(try await store.count() == 1)
        }
    }

    @Test(arguments: TokenStoreFactory.all)
    func revokeKeepsTheFirstTimeAndListsEverything(factory: TokenStoreFactory) async throws {
        try await factory.use { store in
            let a = try await store.insert(newToken("a", hashByte: 1))
            let b = try await store.insert(newToken("b", hashByte: 2, scopes: [.admin]))
            #expect(try await store.revoke(id: a.id, at: t0.addingTimeInterval(10)))
            #expect(try await store.revoke(id: a.id, at: t0.addingTimeInterval(20)))
            #expect(try await store.revoke(id: 999_999, at: t0) == false)
            try await store.markUsed(id: b.id, at: t0.addingTimeInterval(30))
            let all = try await store.all()
            #expect(all.map(\.id) == [a.id, b.id])
            #expect(all[0].revokedAt == t0.addingTimeInterval(10))
            #expect(all[1].lastUsedAt == t0.addingTimeInterval(30) && all[1].scopes == [.admin])
        }
    }

    /// Servers starting together on an empty store: exactly one bootstrap token is stored.
    @Test(arguments: TokenStoreFactory.all)
    func insertIfEmptyStoresOnceUnderARace(factory: TokenStoreFactory) async throws {
        try await factory.use { store in
            let stored = try await withThrowingTaskGroup(of: AccessToken?.self) { group in
                for index in 0..<8 { group.addTask { try await store.insertIfEmpty(newToken("boot\(index)", hashByte: UInt8(10 + index))) } }
                return try await group.reduce(into: [AccessToken]()) { if let token = $1 { $0.append(token) } }
            }
            #expect(stored.count == 1)
            #expect(try await store.count() == 1)
            #expect(try await store.all() == stored)
            #expect(try await store.insertIfEmpty(newToken("late", hashByte: 99)) == nil)
            #expect(try await store.count() == 1)
        }
    }
}

@Suite("Postgres token store", .enabled(if: TestDatabase.url != nil))
struct PostgresTokenStoreTests {
    /// Another server's bootstrap is inserted but not yet committed: `insertIfEmpty` waits for it, then stores
    /// nothing. (Without the table lock, `NOT EXISTS` would not see the uncommitted row and both would store.)
    @Test func insertIfEmptyWaitsForAnUncommittedBootstrap() async throws {
        try await TestDatabase.withFreshSchema { client, logger in
            let store = PostgresTokenStore(database: PostgresGateway(client: client, logger: logger))
            try await client.withConnection { connection in
                _ = try await connection.query("BEGIN", logger: logger)
                let first = newToken("other-server", hashByte: 1)
                _ = try await connection.query(
                    """
                    INSERT INTO access_tokens (name, user_name, scopes, prefix, hash, created_at)
                    VALUES (\(first.name), \(first.user), \(["admin"]), \(first.prefix), \(ByteBuffer(bytes: first.hash)), \(first.createdAt))
                    """, logger: logger)
                let racing = Task { try await store.insertIfEmpty(newToken("this-server", hashByte: 2)) }
                try await Task.sleep(for: .milliseconds(300))
                _ = try await connection.query("COMMIT", logger: logger)
                #expect(try await racing.value == nil)
            }
            #expect(try await store.all().map(\.name) == ["other-server"])
        }
    }
}
