import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// A clock standing still at `t0`.
private struct StillClock: WallClock {
    func now() -> Date { t0 }
}

/// A stand-in for SHA-256 (the Domain does no cryptography): the secret's first 32 bytes, which differ between the
/// secrets of these tests.
private struct BytesHasher: TokenHasher {
    func hash(_ secret: String) -> [UInt8] { Array((Array(secret.utf8) + Array(repeating: 0, count: 32)).prefix(32)) }
}

private func secret(_ name: String) -> String { "assay_\(name)_" + String(repeating: "x", count: 40) }

/// Revoking the last active admin token would lock everyone out of token management: every adapter refuses it.
@Suite("Last admin token contract")
struct LastAdminTokenContract {
    @Test(arguments: TokenStoreFactory.all)
    func theLastActiveAdminCannotBeRevoked(factory: TokenStoreFactory) async throws {
        try await factory.use { store in try await Self.lastAdminStays(store) }
    }

    private static func lastAdminStays(_ store: some TokenStore) async throws {
        do {
            let tokens = TokenService(store: store, hasher: BytesHasher(), clock: StillClock())
            let admin = try await tokens.store(secret: secret("admin"), name: "admin", user: "admin", scopes: [.admin]).token
            let reader = try await tokens.store(secret: secret("reader"), name: "reader", user: "reader", scopes: [.read, .write]).token
            let expired = try await store.insert(
                NewAccessToken(
                    name: "old admin", user: "admin", scopes: [.admin], prefix: "assay_old", hash: BytesHasher().hash(secret("old")),
                    createdAt: t0 - 7_200,
                    expiresAt: t0 - 3_600))

            await #expect(throws: TokenError.lastAdmin(admin.id)) { try await tokens.revoke(id: admin.id) }
            #expect(try await store.all().first { $0.id == admin.id }?.revokedAt == nil)
            // Tokens that are not the last active admin go as before, expired admins included.
            try await tokens.revoke(id: reader.id)
            try await tokens.revoke(id: expired.id)
            await #expect(throws: TokenError.notFound(999_999)) { try await tokens.revoke(id: 999_999) }

            // With a second admin, either may go, but not both.
            let second = try await tokens.store(secret: secret("second"), name: "second", user: "admin", scopes: [.admin]).token
            try await tokens.revoke(id: admin.id)
            await #expect(throws: TokenError.lastAdmin(second.id)) { try await tokens.revoke(id: second.id) }
            #expect(try await store.all().filter { $0.isActive(at: t0) }.map(\.id) == [second.id])
        }
    }

    /// Two admins revoking each other at once: one revocation wins, the other is refused.
    @Test(arguments: TokenStoreFactory.all)
    func racingRevocationsKeepOneAdmin(factory: TokenStoreFactory) async throws {
        try await factory.use { store in try await Self.racingRevocations(store) }
    }

    private static func racingRevocations(_ store: some TokenStore) async throws {
        do {
            let tokens = TokenService(store: store, hasher: BytesHasher(), clock: StillClock())
            var ids: [Int64] = []
            for name in ["a", "b", "c", "d"] {
                ids.append(try await tokens.store(secret: secret(name), name: name, user: "admin", scopes: [.admin]).token.id)
            }
            let revoked = await withTaskGroup(of: Bool.self) { group in
                for id in ids { group.addTask { (try? await tokens.revoke(id: id)) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(revoked == 3)
            #expect(try await store.all().filter { $0.isActive(at: t0) }.count == 1)
        }
    }
}
