import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AssayServer

/// Requests a hostile or careless client sends, answered by the rules (issue 21) through the router.
@Suite("Hostile requests")
struct HostileRequestTests {
    /// A NUL byte is text no store can hold: a 422 naming the field on memory as on Postgres, never a 200 or a 500.
    @Test func nulInPathsAndQueriesIsRefusedNamingTheField() async throws {
        try await withApp { client in
            try await client.createGeneset("Great Genes", ["BRCA1"])
            for (uri, field) in nulRequests {
                let body = try expectProblem(try await client.execute(uri: uri, method: .get), .unprocessableContent)
                let errors = body["errors"] as? [[String: String]]
                #expect(errors?.first?["field"] == field, "\(uri): \(body)")
                #expect(errors?.first?["reason"]?.contains("NUL") == true, "\(uri): \(body)")
            }
            let token = try await client.send(.post, "/tokens", json: #"{"name":"ci\u0000","scopes":["read"]}"#)
            #expect((try expectProblem(token, .unprocessableContent)["errors"] as? [[String: String]])?.first?["field"] == "name")
        }
    }

    /// Every JSON route refuses a body labelled as something else, naming the type it takes.
    @Test func jsonRoutesRefuseOtherContentTypes() async throws {
        try await withApp { client in
            let id = try await client.createGeneset("Great Genes", ["BRCA1"])
            let product = try await client.send(.post, "/products", json: #"{"name":"Pipette","category":"lab","price":1}"#)
            #expect(product.status == .created)
            let routes: [(HTTPRequest.Method, String, String)] = [
                (.post, "/genesets", #"{"title":"T","genes":[{"name":"TP53"}]}"#),
                (.put, "/genesets/\(id)", #"{"title":"T","genes":[{"name":"TP53"}]}"#),
                (.post, "/tokens", #"{"name":"ci","scopes":["read"]}"#),
                (.post, "/products", #"{"name":"Pipette","category":"lab","price":1}"#),
                (.post, "/products/1/views", #"{"user_id":1}"#),
                (.post, "/products/1/costs", #"{"amount":1,"kind":"shipping"}"#),
            ]
            for (method, uri, text) in routes {
                for type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
                    let response = try await client.execute(uri: uri, method: method, headers: [.contentType: type], body: ByteBuffer(string: text))
                    let body = try expectProblem(response, .unsupportedMediaType)
                    #expect((body["detail"] as? String)?.contains("application/json") == true, "\(method) \(uri): \(body)")
                }
            }
            let sets = try json(try await client.execute(uri: "/genesets", method: .get))["items"] as? [[String: Any]]
            #expect(sets?.map { $0["title"] as? String } == ["Great Genes"])
            let charset = try await client.execute(
                uri: "/genesets", method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: #"{"title":"Fine","genes":[{"name":"TP53"}]}"#))
            #expect(charset.status == .created)
        }
    }

    /// A key given twice in one object is ambiguous (RFC 8259 says names SHOULD be unique; parsers disagree on which
    /// wins): refused with 400 naming the key, wherever the object is.
    @Test func duplicateJSONKeysAreRefused() async throws {
        try await withApp { client in
            let top = try await client.send(.post, "/genesets", json: #"{"title":"A","genes":[{"name":"TP53"}],"title":"B"}"#)
            #expect((try expectProblem(top, .badRequest)["detail"] as? String)?.contains("'title'") == true)
            let nested = try await client.send(.post, "/genesets", json: #"{"title":"A","genes":[{"name":"TP53","name":"BRCA1"}]}"#)
            #expect((try expectProblem(nested, .badRequest)["detail"] as? String)?.contains("'name'") == true)
            let escaped = try await client.send(.post, "/genesets", json: #"{"title":"A","genes":[{"name":"TP53"}],"t\u0069tle":"B"}"#)
            try expectProblem(escaped, .badRequest)
            // The same key in sibling objects is no duplicate.
            let siblings = try await client.send(.post, "/genesets", json: #"{"title":"A","genes":[{"name":"TP53"},{"name":"BRCA1"}]}"#)
            #expect(siblings.status == .created)
            let list = try json(try await client.execute(uri: "/genesets", method: .get))["items"] as? [Any]
            #expect(list?.count == 1)
        }
    }

    /// The last active admin token cannot revoke itself: that would lock everyone out of token management.
    @Test func revokingTheLastAdminTokenIsAConflict() async throws {
        try await withApp { client in
            let refused = try expectProblem(try await client.execute(uri: "/tokens/1", method: .delete), .conflict)
            let detail = refused["detail"] as? String ?? ""
            #expect(detail.contains("assay token create") && detail.contains("ASSAY_ADMIN_TOKEN"), "\(detail)")
            #expect(try await client.execute(uri: "/tokens", method: .get).status == .ok)

            let second = try json(try await client.send(.post, "/tokens", json: #"{"name":"second admin","scopes":["admin"]}"#))
            let secondID = try #require(second["id"] as? Int)
            #expect(try await client.execute(uri: "/tokens/1", method: .delete).status == .noContent)
            var other = client
            other.secret = try #require(second["token"] as? String)
            try expectProblem(try await other.execute(uri: "/tokens/\(secondID)", method: .delete), .conflict)
        }
    }
}

/// Requests carrying a NUL where text is expected, with the field the problem must name.
let nulRequests: [(uri: String, field: String)] = [
    ("/genesets/search/%00", "pattern"),
    ("/genesets/search/a%00b", "pattern"),
    ("/genesets?q=%00", "q"),
    ("/genesets?gene=%00", "gene"),
    ("/genes/%00", "name"),
    ("/genes/BRCA1%00", "name"),
    ("/genes/search/%00", "q"),
    ("/genes/search?q=%00", "q"),
    ("/genes/search?q=BR%00CA", "q"),
]
