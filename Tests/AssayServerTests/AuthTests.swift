import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization
import Testing

@testable import AssayServer

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
    func now() -> Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Bearer tokens on every route")
struct AuthTests {
    /// Walks every registered route: 401 without a token and with a wrong, revoked or expired one, 403 with a
    /// short scope, and no auth error with the scope the route needs. New routes are covered automatically.
    /// Runs with `/api/...` needing `read` and with it public (`ASSAY_API_PUBLIC`).
    @Test(arguments: [false, true])
    func everyRegisteredRouteNeedsTheRightScope(apiPublic: Bool) async throws {
        let clock = ManualClock()
        let tokens = TokenService(store: InMemoryTokenStore(), hasher: SHA256TokenHasher(), clock: clock)
        let admin = try await tokens.issue(name: "admin", user: "admin", scopes: [.admin]).secret
        let writer = try await tokens.issue(name: "writer", user: "writer", scopes: [.write]).secret
        let reader = try await tokens.issue(name: "reader", user: "reader", scopes: [.read]).secret
        let revoked = try await tokens.issue(name: "revoked", user: "admin", scopes: [.admin])
        try await tokens.revoke(id: revoked.token.id)
        let expired = try await tokens.issue(name: "expired", user: "admin", scopes: [.admin], expiresIn: 60).secret
        clock.advance(by: 61)

        var configuration = AssayConfiguration()
        configuration.logLevel = .critical
        configuration.apiPublic = apiPublic
        let policy = AccessPolicy(apiPublic: apiPublic)
        let router = buildRouter(adapters: .inMemory(clock: clock), tokens: tokens, clock: clock, configuration: configuration).router
        let routes = router.routes.map { (method: $0.method, template: $0.path.description) }
        #expect(routes.count >= 23)
        #expect(routes.contains { $0.template == AccessPolicy.apiPath })
        #expect(policy.requirement(method: .get, endpointPath: AccessPolicy.apiPath) == (apiPublic ? nil : .read))
        #expect(policy.requirement(method: .get, endpointPath: "/stats") == .read)
        #expect(policy.requirement(method: .post, endpointPath: "/test/{n}") == .write)
        var logger = Logger(label: "auth-test")
        logger.logLevel = .critical
        let app = Application(router: router, logger: logger)

        try await app.test(.router) { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, _ authorization: String?) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let authorization { headers[.authorization] = authorization }
                return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: "{}"))
            }
            for route in routes {
                let template = route.template
                let uri = template.replacingOccurrences(of: "{id}", with: "999").replacingOccurrences(of: "{name}", with: "BRCA1")
                    .replacingOccurrences(of: "{n}", with: "1").replacingOccurrences(of: "**", with: "Great")
                let label = "\(route.method) \(template)"
                guard let needed = policy.requirement(method: route.method, endpointPath: template) else {
                    let status = try await call(route.method, uri, nil).status
                    #expect(status != .unauthorized && status != .forbidden, "\(label) is public")
                    continue
                }
                let missing = try await call(route.method, uri, nil)
                #expect(missing.status == .unauthorized, "\(label) without a token")
                #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(label) challenge")
                for bad in ["Bearer assay_not-a-real-token-at-all-0123456789", "Bearer \(revoked.secret)", "Bearer \(expired)", "Basic \(admin)"] {
                    #expect(try await call(route.method, uri, bad).status == .unauthorized, "\(label) with \(bad.prefix(16))")
                }
                let short: String? =
                    switch needed {
                    case .read: nil
                    case .write: reader
                    case .admin: writer
                    }
                if let short {
                    let forbidden = try await call(route.method, uri, "Bearer \(short)")
                    #expect(forbidden.status == .forbidden, "\(label) with a short scope")
                    #expect(forbidden.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
                }
                let right = needed == .read ? reader : needed == .write ? writer : admin
                let allowed = try await call(route.method, uri, "bEaReR \(right)").status
                #expect(allowed != .unauthorized && allowed != .forbidden, "\(label) with the \(needed) scope gave \(allowed)")
            }
        }
    }

    @Test func tokensAreIssuedOnceListedWithoutSecretsAndRevoked() async throws {
        try await withApp { client in
            let created = try await client.send(.post, "/tokens", json: #"{"name":"ci","scopes":["read"],"expires_in":"30d"}"#)
            #expect(created.status == .created)
            let body = try json(created)
            let secret = try #require(body["token"] as? String)
            #expect(secret.hasPrefix("assay_") && secret.count == 6 + 43)
            #expect(body["scopes"] as? [String] == ["read"])
            #expect(body["expires_at"] is String)
            let id = try #require(body["id"] as? Int)

            let asCI = AuthorizedClient(base: client.base, secret: secret)
            #expect(try await asCI.execute(uri: "/genesets", method: .get).status == .ok)
            try expectProblem(try await asCI.send(.post, "/genesets", json: #"{"title":"x","genes":[{"name":"A"}]}"#), .forbidden)
            try expectProblem(try await asCI.execute(uri: "/tokens", method: .get), .forbidden)

            let listed = try #require(try json(try await client.execute(uri: "/tokens", method: .get))["items"] as? [[String: Any]])
            #expect(listed.count == 2)
            #expect(listed.allSatisfy { $0["token"] == nil })
            #expect(listed.contains { $0["prefix"] as? String == String(secret.prefix(10)) && $0["last_used_at"] is String })

            #expect(try await client.execute(uri: "/tokens/\(id)", method: .delete).status == .noContent)
            let refused = try expectProblem(try await asCI.execute(uri: "/genesets", method: .get), .unauthorized)
            #expect((refused["detail"] as? String)?.contains("revoked") == true)
            try expectProblem(try await client.execute(uri: "/tokens/424242", method: .delete), .notFound)
        }
    }

    @Test func badTokenRequestsNameTheField() async throws {
        try await withApp { client in
            let body = try expectProblem(
                try await client.send(.post, "/tokens", json: #"{"name":" ","scopes":["read","root"],"expires_in":"soon"}"#),
                .unprocessableContent)
            let fields = (body["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(fields == ["scopes[1]", "expires_in"])
            let empty = try expectProblem(try await client.send(.post, "/tokens", json: #"{"name":" ","scopes":[]}"#), .unprocessableContent)
            #expect((empty["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["name", "scopes"])
        }
    }

    @Test func cachedTokensHonourRevocationAtOnceHereAndWithinTheCacheTimeElsewhere() async throws {
        let clock = ManualClock()
        let store = InMemoryTokenStore()
        let tokens = TokenService(store: store, hasher: SHA256TokenHasher(), clock: clock, cacheSeconds: 10)
        let here = try await tokens.issue(name: "here", user: "here", scopes: [.read])
        let elsewhere = try await tokens.issue(name: "elsewhere", user: "elsewhere", scopes: [.read])
        _ = try await tokens.authenticate(secret: here.secret)
        _ = try await tokens.authenticate(secret: elsewhere.secret)

        try await tokens.revoke(id: here.token.id)
        await #expect(throws: TokenError.revoked) { try await tokens.authenticate(secret: here.secret) }

        // Revoked by another instance: this one still trusts its cached copy until the cache time has passed.
        _ = await store.revoke(id: elsewhere.token.id, at: clock.now())
        clock.advance(by: 5)
        #expect(try await tokens.authenticate(secret: elsewhere.secret).id == elsewhere.token.id)
        clock.advance(by: 6)
        await #expect(throws: TokenError.revoked) { try await tokens.authenticate(secret: elsewhere.secret) }
    }

    @Test func bootstrapCreatesOneAdminTokenOnAnEmptyStore() async throws {
        let tokens = TokenService(store: InMemoryTokenStore(), hasher: SHA256TokenHasher())
        let first = try #require(try await tokens.bootstrapAdmin(secret: nil))
        #expect(first.token.scopes == [.admin] && first.secret.hasPrefix("assay_"))
        #expect(try await tokens.bootstrapAdmin(secret: nil) == nil)
        #expect(try await tokens.authenticate(secret: first.secret).id == first.token.id)

        let fromEnvironment = TokenService(store: InMemoryTokenStore(), hasher: SHA256TokenHasher())
        let chosen = try #require(try await fromEnvironment.bootstrapAdmin(secret: testAdminSecret))
        #expect(chosen.secret == testAdminSecret)
        let stored = try await fromEnvironment.list()
        #expect(stored.count == 1 && stored[0].hash == SHA256TokenHasher().hash(testAdminSecret) && stored[0].hash.count == 32)
    }

    /// The scheme name in any case; spaces or tabs around the secret; anything else is no bearer secret.
    @Test func bearerSecretsAreReadFromTheAuthorizationValue() {
        let read: [(String, String?)] = [
            ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER abc", "abc"), ("bEaReR\tabc", "abc"), ("Bearer   abc  ", "abc"),
            ("  Bearer abc", "abc"), ("Bearer a b", "a b"), ("Bearer ünï", "ünï"),
            ("Bearer", nil), ("Bearer ", nil), ("Bearer \t ", nil), ("Bearerabc", nil), ("Basic abc", nil), ("Bear abc", nil),
            ("Bearers abc", nil), ("", nil), ("Bearer\u{00A0}abc", nil), ("Rearer abc", nil), ("Bearer\u{0}", nil),
        ]
        for (value, expected) in read {
            #expect(AccessPolicy.bearerSecret(value) == expected, "\(value.debugDescription)")
        }
    }
}

/// Every token belongs to a user (issue 20): `POST /tokens` names it (the calling admin's own by default), `GET /me`
/// says who a token is.
@Suite("Users of tokens")
struct TokenUserTests {
    @Test func tokensNameTheirUserAndMeSaysWhoCalls() async throws {
        try await withApp { admin in
            let client = admin.base
            let me = try json(try await admin.execute(uri: "/me", method: .get))
            #expect(me["user"] as? String == "admin" && me["admin"] as? Bool == true && me["scopes"] as? [String] == ["admin"])

            let created = try await admin.send(.post, "/tokens", json: #"{"name":"alice laptop","user":"alice","scopes":["read","write"]}"#)
            #expect(created.status == .created)
            let alice = try json(created)
            #expect(alice["user"] as? String == "alice")
            let secret = try #require(alice["token"] as? String)
            let aliceClient = AuthorizedClient(base: client, secret: secret)
            let aliceMe = try json(try await aliceClient.execute(uri: "/me", method: .get))
            #expect(aliceMe["user"] as? String == "alice" && aliceMe["admin"] as? Bool == false)
            #expect(aliceMe["scopes"] as? [String] == ["read", "write"])
            #expect((aliceMe["token"] as? [String: Any])?["name"] as? String == "alice laptop")
            #expect((aliceMe["token"] as? [String: Any])?["token"] == nil, "the secret is never shown again")

            // Without a user, the token is the calling admin's.
            let own = try json(try await admin.send(.post, "/tokens", json: #"{"name":"ci","scopes":["read"]}"#))
            #expect(own["user"] as? String == "admin")
            let listed = try json(try await admin.execute(uri: "/tokens", method: .get))["items"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["user"] as? String }.sorted() == ["admin", "admin", "alice"])

            let bad = try await admin.send(.post, "/tokens", json: #"{"name":"x","user":"Alice Smith","scopes":["read"]}"#)
            let problem = try expectProblem(bad, .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.map { $0["field"] } == ["user"])

            try expectProblem(try await client.execute(uri: "/me", method: .get), .unauthorized)
        }
    }
}
