import AssayDomain
import AssayInMemory
import Testing

/// A stand-in hash: the domain does no cryptography, so any injective function will do here.
private struct BytesHasher: TokenHasher {
    func hash(_ secret: String) -> [UInt8] { Array(secret.utf8) }
}

@Suite("User names")
struct UserNameTests {
    @Test(arguments: ["admin", "alice", "lab-7", "j.smith", "a_b", "0", String(repeating: "a", count: 64)])
    func accepted(name: String) {
        #expect(UserName.problem(with: name) == nil)
    }

    @Test(arguments: ["", "Alice", "-lab", ".x", "_x", "a b", "a/b", "ä", "a\u{0}", String(repeating: "a", count: 65), "👩‍🔬"])
    func refused(name: String) {
        #expect(UserName.problem(with: name) != nil)
    }

    @Test func tokensNameTheirUserAndRefuseBadOnes() async throws {
        let tokens = TokenService(store: InMemoryTokenStore(), hasher: BytesHasher())
        let issued = try await tokens.issue(name: "alice laptop", user: "alice", scopes: [.read])
        #expect(issued.token.user == "alice")
        let bootstrap = try await TokenService(store: InMemoryTokenStore(), hasher: BytesHasher()).bootstrapAdmin(secret: nil)
        #expect(bootstrap?.token.user == UserName.admin)
        await #expect(throws: ValidationError.self) { try await tokens.issue(name: "x", user: "Alice Smith", scopes: [.read]) }
        do {
            _ = try await tokens.issue(name: "x", user: "", scopes: [.read])
            Issue.record("an empty user was accepted")
        } catch let error as ValidationError {
            #expect(error.errors.map(\.field) == ["user"])
        }
    }
}
