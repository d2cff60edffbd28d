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
