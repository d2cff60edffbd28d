import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AssayServer

@Suite("Problem responses for bad input")
struct ProblemResponsesTests {
    @Test func malformedJSONIsBadRequest() async throws {
        try await withApp { client in
            let body = try expectProblem(try await client.send(.post, "/genesets", json: #"{"title": "x", "genes": [}"#), .badRequest)
            #expect((body["detail"] as? String)?.contains("not valid JSON") == true)
            try expectProblem(try await client.send(.post, "/genesets", json: ""), .badRequest)
        }
    }

    @Test func wrongTypesAndMissingFieldsNameTheField() async throws {
        try await withApp { client in
            let cases: [(String, String)] = [
                (#"{"title": 5, "genes": [{"name": "A"}]}"#, "title"),
                (#"{"title": "T", "genes": [{"name": "A"}, {"name": 7}]}"#, "genes[1].name"),
                (#"{"title": "T"}"#, "genes"),
                (#"{"title": null, "genes": []}"#, "title"),
                (#"{"title": "T", "genes": "BRCA1"}"#, "genes"),
                (#"[1, 2]"#, "body"),
            ]
            for (text, field) in cases {
                let body = try expectProblem(try await client.send(.post, "/genesets", json: text), .unprocessableContent)
                let fields = (body["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == [field], "\(text)")
            }
        }
    }

    @Test func ruleViolationsListEveryField() async throws {
        try await withApp { client in
            let body = try expectProblem(
                try await client.send(.post, "/genesets", json: #"{"title": " ", "genes": [{"name": "A"}, {"name": "a"}, {"name": ""}]}"#),
                .unprocessableContent)
            let errors = try #require(body["errors"] as? [[String: Any]])
            #expect(errors.compactMap { $0["field"] as? String } == ["title", "genes[1].name", "genes[2].name"])
            #expect(errors.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        }
    }

    @Test func badIdsCursorsAndLimits() async throws {
        try await withApp { client in
            try expectProblem(try await client.execute(uri: "/genesets/999", method: .get), .notFound)
            try expectProblem(try await client.execute(uri: "/genesets/abc", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/genesets/-1", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/genesets?cursor=garbage", method: .get), .badRequest)
            let genesCursor = Cursor(kind: "genes", afterID: 1).token
            try expectProblem(try await client.execute(uri: "/genesets?cursor=\(genesCursor)", method: .get), .badRequest)
            let over = try expectProblem(try await client.execute(uri: "/genesets?limit=501", method: .get), .badRequest)
            #expect((over["detail"] as? String)?.contains("501") == true)
            try expectProblem(try await client.execute(uri: "/genes?limit=0", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/genes?limit=abc", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/genes/search?q=a&limit=1000", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/genes/NOPE", method: .get), .notFound)
            try expectProblem(try await client.execute(uri: "/genes/search?q=", method: .get), .unprocessableContent)
            try expectProblem(try await client.execute(uri: "/genes/search/%ZZ", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/no/such/route", method: .get), .notFound)
        }
    }

    @Test func oversizedBodyIsContentTooLarge() async throws {
        var configuration = AssayConfiguration()
        configuration.maxBodyBytes = 2_048
        try await withApp(configuration: configuration) { client in
            let names = (0..<400).map { #"{"name":"GENE\#($0)"}"# }.joined(separator: ",")
            let response = try await client.send(.post, "/genesets", json: #"{"title":"Big","genes":[\#(names)]}"#)
            try expectProblem(response, .contentTooLarge)
            let list = try json(try await client.execute(uri: "/genesets", method: .get))
            #expect((list["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func healthAndReadiness() async throws {
        try await withApp { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(try json(health)["status"] as? String == "ok")
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            #expect((try json(ready)["checks"] as? [String: String])?["store"] == "ok")
        }
    }
}
