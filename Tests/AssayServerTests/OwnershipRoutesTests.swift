import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AssayServer

/// Issue 20 over HTTP: every route that reads or changes a gene set or a collection, called by its owner, by another
/// user and by an admin, on private and public objects, on memory and on Postgres.
@Suite("Owners over HTTP")
struct OwnershipRoutesTests {
    /// A user's client: a `read`+`write` token of that user, made by the admin.
    static func client(of user: String, admin: AuthorizedClient) async throws -> AuthorizedClient {
        let created = try await admin.send(.post, "/tokens", json: #"{"name":"\#(user)","user":"\#(user)","scopes":["read","write"]}"#)
        #expect(created.status == .created)
        return AuthorizedClient(base: admin.base, secret: try #require(try json(created)["token"] as? String))
    }

    /// Alice's objects: a private set, a public set, a private collection with one imported set, a public collection.
    struct Objects {
        var privateSet: Int64 = 0
        var publicSet: Int64 = 0
        var privateCollection: Int64 = 0
        var publicCollection: Int64 = 0
    }

    static let secretTitle = "Alice unpublished screen"
    static let secretGene = "ALICESECRET1"
    static let secretCollection = "Alice private lab"

    static func make(as alice: AuthorizedClient) async throws -> Objects {
        var objects = Objects()
        let made = try await alice.send(
            .post, "/genesets", json: #"{"title":"\#(secretTitle)","genes":[{"name":"\#(secretGene)"},{"name":"TP53"}]}"#)
        objects.privateSet = try #require((try json(made)["id"] as? NSNumber)?.int64Value)
        #expect(try json(made)["visibility"] as? String == "private" && json(made)["owner"] as? String == "alice")
        let shared = try await alice.send(.post, "/genesets", json: #"{"title":"Alice shared","genes":[{"name":"TP53"}],"visibility":"public"}"#)
        objects.publicSet = try #require((try json(shared)["id"] as? NSNumber)?.int64Value)
        let collection = try await alice.send(.post, "/collections", json: #"{"name":"\#(secretCollection)"}"#)
        objects.privateCollection = try #require((try json(collection)["id"] as? NSNumber)?.int64Value)
        let imported = try await alice.execute(
            uri: "/collections/\(objects.privateCollection)/gmt", method: .post, headers: [.contentType: "text/plain"],
            body: ByteBuffer(string: "ALICE_HIDDEN_SET\tna\t\(secretGene)\tEGFR\n"))
        #expect(imported.status == .ok, "\(String(buffer: imported.body))")
        let published = try await alice.send(.post, "/collections", json: #"{"name":"Alice published","visibility":"public"}"#)
        objects.publicCollection = try #require((try json(published)["id"] as? NSNumber)?.int64Value)
        return objects
    }

    /// One call of the walk and what each caller gets.
    struct Call: CustomStringConvertible {
        let method: HTTPRequest.Method
        let uri: String
        let body: String?
        /// Status for alice (the owner) and the admin.
        let owner: HTTPResponse.Status
        /// Status for bob.
        let other: HTTPResponse.Status

        var description: String { "\(method) \(uri)" }
    }

    /// Every route that names or reaches one of alice's objects; reads first, then changes, deletes last.
    static func calls(_ o: Objects) -> [Call] {
        let set = #"{"title":"edited","genes":[{"name":"TP53"}]}"#
        return [
            Call(method: .get, uri: "/genesets/\(o.privateSet)", body: nil, owner: .ok, other: .notFound),
            Call(method: .get, uri: "/genesets/\(o.publicSet)", body: nil, owner: .ok, other: .ok),
            Call(method: .get, uri: "/genes/\(secretGene)", body: nil, owner: .ok, other: .notFound),
            Call(method: .get, uri: "/collections/\(o.privateCollection)", body: nil, owner: .ok, other: .notFound),
            Call(method: .get, uri: "/collections/\(o.publicCollection)", body: nil, owner: .ok, other: .ok),
            Call(method: .get, uri: "/collections/\(o.privateCollection)/gmt", body: nil, owner: .ok, other: .notFound),
            Call(method: .get, uri: "/collections/\(o.publicCollection)/gmt", body: nil, owner: .ok, other: .ok),
            Call(
                method: .post, uri: "/enrichment", body: #"{"genes":["\#(secretGene)"],"collection":\#(o.privateCollection)}"#, owner: .ok,
                other: .notFound),
            Call(
                method: .post, uri: "/dashboard/enrichment", body: #"{"genes":["TP53"],"collection":\#(o.privateCollection)}"#, owner: .ok,
                other: .notFound),
            Call(method: .post, uri: "/enrichment", body: #"{"genes":["TP53"],"collection":\#(o.publicCollection)}"#, owner: .ok, other: .ok),
            Call(method: .put, uri: "/genesets/\(o.privateSet)", body: set, owner: .ok, other: .notFound),
            Call(method: .put, uri: "/genesets/\(o.publicSet)", body: set, owner: .ok, other: .forbidden),
            Call(
                method: .post, uri: "/genesets", body: #"{"title":"into","genes":[{"name":"A"}],"collection":\#(o.privateCollection)}"#,
                owner: .created, other: .notFound),
            Call(
                method: .post, uri: "/genesets", body: #"{"title":"into","genes":[{"name":"A"}],"collection":\#(o.publicCollection)}"#,
                owner: .created, other: .forbidden),
            Call(method: .post, uri: "/collections/\(o.privateCollection)/gmt", body: "MORE\tna\tA\n", owner: .ok, other: .notFound),
            Call(method: .post, uri: "/collections/\(o.publicCollection)/gmt", body: "MORE\tna\tA\n", owner: .ok, other: .forbidden),
            Call(method: .patch, uri: "/collections/\(o.publicCollection)", body: #"{"visibility":"public"}"#, owner: .ok, other: .forbidden),
            Call(method: .patch, uri: "/collections/\(o.privateCollection)", body: #"{"visibility":"private"}"#, owner: .ok, other: .notFound),
            Call(method: .delete, uri: "/genesets/\(o.privateSet)", body: nil, owner: .noContent, other: .notFound),
            Call(method: .delete, uri: "/genesets/\(o.publicSet)", body: nil, owner: .noContent, other: .forbidden),
            Call(method: .delete, uri: "/collections/\(o.privateCollection)", body: nil, owner: .noContent, other: .notFound),
            Call(method: .delete, uri: "/collections/\(o.publicCollection)", body: nil, owner: .noContent, other: .forbidden),
        ]
    }

    static func send(_ call: Call, _ client: AuthorizedClient) async throws -> TestResponse {
        let contentType = call.uri.hasSuffix("/gmt") ? "text/plain" : "application/json"
        return try await client.execute(
            uri: call.uri, method: call.method, headers: [.contentType: contentType], body: call.body.map { ByteBuffer(string: $0) })
    }

    /// The stores the walk runs on: memory always, Postgres when `make test` provides it.
    static var stores: [String] {
        ProcessInfo.processInfo.environment["ASSAY_TEST_POSTGRES_URL"] == nil ? ["memory"] : ["memory", "postgres"]
    }

    /// An application on `store` with the test admin token; the client sends it unless a request names another.
    static func withStore(_ store: String, _ test: @Sendable @escaping (AuthorizedClient) async throws -> Void) async throws {
        guard store == "postgres" else { return try await withApp(test) }
        try await withDatabase { url, _ in
            try await buildApplication(configuration(url)).test(.router) { client in try await test(AuthorizedClient(base: client)) }
        }
    }

    @Test(arguments: ["alice", "bob", "admin"], stores)
    func everyRouteAnswersEachCallerByTheRules(caller: String, store: String) async throws {
        try await Self.withStore(store) { admin in
            let alice = try await Self.client(of: "alice", admin: admin)
            let bob = try await Self.client(of: "bob", admin: admin)
            let objects = try await Self.make(as: alice)
            let client = ["alice": alice, "bob": bob, "admin": admin][caller] ?? admin
            for call in Self.calls(objects) {
                let response = try await Self.send(call, client)
                let expected = caller == "bob" ? call.other : call.owner
                #expect(response.status == expected, "\(caller): \(call) → \(String(buffer: response.body))")
                // Nothing of alice's private objects that bob did not name himself.
                if caller == "bob", !(call.uri + (call.body ?? "")).contains(Self.secretGene) {
                    let body = String(buffer: response.body)
                    #expect(!body.contains(Self.secretTitle) && !body.contains(Self.secretGene) && !body.contains(Self.secretCollection))
                }
            }
        }
    }

    /// A hidden object's 404 is the one a missing id gets, word for word but the id.
    @Test(arguments: stores)
    func aHiddenObjectIsAnsweredAsAMissingOne(store: String) async throws {
        try await Self.withStore(store) { admin in
            let alice = try await Self.client(of: "alice", admin: admin)
            let bob = try await Self.client(of: "bob", admin: admin)
            let o = try await Self.make(as: alice)
            let missing: Int64 = 999_999
            for (hidden, template) in [(o.privateSet, "/genesets/%d"), (o.privateCollection, "/collections/%d")] {
                for method in [HTTPRequest.Method.get, .delete] {
                    let seen = try await bob.execute(uri: template.replacingOccurrences(of: "%d", with: "\(hidden)"), method: method)
                    let absent = try await bob.execute(uri: template.replacingOccurrences(of: "%d", with: "\(missing)"), method: method)
                    #expect(seen.status == absent.status)
                    let seenBody = String(buffer: seen.body).replacingOccurrences(of: "\(hidden)", with: "ID")
                    let absentBody = String(buffer: absent.body).replacingOccurrences(of: "\(missing)", with: "ID")
                    #expect(seenBody == absentBody)
                }
            }
        }
    }

    /// Lists, searches, genes, counts and filters over HTTP, as bob and as alice.
    @Test(arguments: stores)
    func listsSearchesAndCountsShowOnlyWhatTheCallerMaySee(store: String) async throws {
        try await Self.withStore(store) { admin in
            let alice = try await Self.client(of: "alice", admin: admin)
            let bob = try await Self.client(of: "bob", admin: admin)
            let o = try await Self.make(as: alice)
            let bobs = try await bob.send(.post, "/genesets", json: #"{"title":"Bob own","genes":[{"name":"BOBGENE"}]}"#)
            let bobsSet = try #require((try json(bobs)["id"] as? NSNumber)?.int64Value)

            func ids(_ client: AuthorizedClient, _ uri: String) async throws -> [Int64] {
                let items = try #require(try json(try await client.execute(uri: uri, method: .get))["items"] as? [[String: Any]])
                return items.compactMap { ($0["id"] as? NSNumber)?.int64Value }
            }
            #expect(try await ids(bob, "/genesets") == [o.publicSet, bobsSet])
            #expect(try await ids(bob, "/genesets?owner=me") == [bobsSet])
            #expect(try await ids(bob, "/genesets?owner=alice") == [o.publicSet])
            #expect(try await ids(bob, "/genesets?visibility=private") == [bobsSet])
            #expect(try await ids(alice, "/genesets?visibility=private").count == 2)
            #expect(try await ids(bob, "/genesets?q=unpublished") == [])
            #expect(try await ids(bob, "/genesets/search/unpublished") == [])
            #expect(try await ids(alice, "/genesets/search/unpublished") == [o.privateSet])
            #expect(try await ids(bob, "/genesets?gene=\(Self.secretGene)") == [])
            #expect(try await ids(bob, "/collections") == [o.publicCollection])
            #expect(try await ids(alice, "/collections?visibility=private") == [o.privateCollection])
            #expect(try await ids(admin, "/genesets").count == 4)
            let search = try json(try await bob.execute(uri: "/genes/search?q=ALICESECRET", method: .get))
            #expect((search["items"] as? [Any])?.isEmpty == true)
            let alicesSearch = try json(try await alice.execute(uri: "/genes/search?q=ALICESECRET", method: .get))
            #expect((alicesSearch["items"] as? [[String: Any]])?.first?["name"] as? String == Self.secretGene)
            let genes = try #require(try json(try await bob.execute(uri: "/genes?limit=500", method: .get))["items"] as? [[String: Any]])
            #expect(Set(genes.compactMap { $0["name"] as? String }) == ["TP53", "BOBGENE"])
            let bobPanels = String(buffer: try await bob.execute(uri: "/dashboard/panels?window=all", method: .get).body)
            let adminPanels = String(buffer: try await admin.execute(uri: "/dashboard/panels?window=all", method: .get).body)
            #expect(bobPanels != adminPanels && !bobPanels.contains(Self.secretTitle))

            let enriched = try json(try await bob.send(.post, "/enrichment", json: #"{"genes":["TP53","\#(Self.secretGene)"]}"#))
            #expect(enriched["tested_among"] as? String == "public sets and bob's own")
            #expect(enriched["tested"] as? Int == 1 && enriched["background_size"] as? Int == 2)
            #expect(enriched["unmapped"] as? [String] == [Self.secretGene])
            try expectProblem(try await bob.execute(uri: "/genesets?visibility=secret", method: .get), .unprocessableContent)
            try expectProblem(try await bob.execute(uri: "/genesets?owner=Not%20A%20User", method: .get), .unprocessableContent)
            try expectProblem(
                try await bob.send(.post, "/genesets", json: #"{"title":"x","genes":[{"name":"A"}],"visibility":"everyone"}"#),
                .unprocessableContent)
            try expectProblem(try await bob.send(.patch, "/collections/\(o.publicCollection)", json: "{}"), .unprocessableContent)
        }
    }
}
