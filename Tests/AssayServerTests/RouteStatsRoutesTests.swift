import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import AssayServer

private func items(_ response: TestResponse) throws -> [String] {
    let body = try json(response)
    let list = try #require(body["items"] as? [[String: Any]], "\(body)")
    return list.map { "\($0["path"] as? String ?? "?")=\($0["count"] as? Int ?? -1)" }
}

@Suite("Route statistics routes")
struct RouteStatsRoutesTests {
    @Test func apiCountsTheNormalisedPath() async throws {
        try await withApp { client in
            let first = try json(try await client.execute(uri: "/api/users//42/", method: .get))
            #expect(first["path"] as? String == "/users/42" && first["count"] as? Int == 1)
            let second = try json(try await client.execute(uri: "/api//users/42", method: .get))
            #expect(second["path"] as? String == "/users/42" && second["count"] as? Int == 2)
            let cased = try json(try await client.execute(uri: "/api/Users/42", method: .get))
            #expect(cased["path"] as? String == "/Users/42" && cased["count"] as? Int == 1)
            let decoded = try json(try await client.execute(uri: "/api/a%20b/%C3%A9", method: .get))
            #expect(decoded["path"] as? String == "/a b/é")
            let stats = try await client.execute(uri: "/stats", method: .get)
            #expect(stats.status == .ok)
            #expect(try items(stats) == ["/users/42=2", "/Users/42=1", "/a b/é=1"])
            #expect(try json(stats)["window"] as? String == "all")
        }
    }

    @Test func badPathsAreProblems() async throws {
        try await withApp { client in
            let long = try expectProblem(try await client.execute(uri: "/api/" + String(repeating: "x", count: 1_024), method: .get), .uriTooLong)
            #expect((long["detail"] as? String)?.contains("1024") == true)
            #expect(try await client.execute(uri: "/api/" + String(repeating: "x", count: 1_023), method: .get).status == .ok)
            try expectProblem(try await client.execute(uri: "/api/a%00b", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/api/a%zzb", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/api/a%C3", method: .get), .badRequest)
            #expect(try items(try await client.execute(uri: "/stats", method: .get)).count == 1)
        }
    }

    @Test func statsValidatesLimitAndWindow() async throws {
        try await withApp { client in
            for index in 0..<60 { _ = try await client.execute(uri: "/api/p\(index < 10 ? "0" : "")\(index)", method: .get) }
            #expect(try items(try await client.execute(uri: "/stats", method: .get)).count == 50)
            #expect(try items(try await client.execute(uri: "/stats?limit=3&window=7d", method: .get)) == ["/p00=1", "/p01=1", "/p02=1"])
            #expect(try items(try await client.execute(uri: "/stats?limit=500", method: .get)).count == 60)
            for bad in ["limit=0", "limit=501", "limit=ten", "window=1d", "window=ALL"] {
                try expectProblem(try await client.execute(uri: "/stats?\(bad)", method: .get), .badRequest)
            }
        }
    }

    @Test func windowsFollowTheClock() async throws {
        let clock = ManualClock()
        try await withApp(clock: clock) { client in
            _ = try await client.execute(uri: "/api/old", method: .get)
            clock.advance(by: 3 * 3_600)
            _ = try await client.execute(uri: "/api/new", method: .get)
            _ = try await client.execute(uri: "/api/new", method: .get)
            #expect(try items(try await client.execute(uri: "/stats?window=1h", method: .get)) == ["/new=2"])
            #expect(try items(try await client.execute(uri: "/stats?window=24h", method: .get)) == ["/new=2", "/old=1"])
            clock.advance(by: 8 * 86_400)
            #expect(try items(try await client.execute(uri: "/stats?window=7d", method: .get)) == [])
            #expect(try items(try await client.execute(uri: "/stats?window=all", method: .get)) == ["/new=2", "/old=1"])
        }
    }

    @Test func apiNeedsReadUnlessConfiguredPublic() async throws {
        try await withApp { client in
            let unknown: HTTPFields = [.authorization: "Bearer nope-0123456789-0123456789-0123"]
            try expectProblem(try await client.execute(uri: "/api/x", method: .get, headers: unknown), .unauthorized)
            try expectProblem(try await client.base.execute(uri: "/api/x", method: .get), .unauthorized)
        }
        var configuration = AssayConfiguration()
        configuration.apiPublic = true
        try await withApp(configuration: configuration) { client in
            #expect(try await client.base.execute(uri: "/api/x", method: .get).status == .ok)
            try expectProblem(try await client.base.execute(uri: "/stats", method: .get), .unauthorized)
            try expectProblem(try await client.base.execute(uri: "/test/1", method: .post), .unauthorized)
        }
    }

    @Test func selfTestCountIsValidated() async throws {
        try await withApp { client in
            for bad in ["0", "100001", "-5", "ten", "1.5"] {
                try expectProblem(try await client.execute(uri: "/test/\(bad)", method: .post), .badRequest)
            }
        }
    }

    /// A real socket: the server requests its own `/api/...` paths over HTTP with the caller's token.
    @Test func selfTestRequestsThisServerOverHTTP() async throws {
        let app = try await buildApplication(liveConfiguration())
        try await app.test(.live) { client in
            let client = AuthorizedClient(base: client)
            let response = try await client.execute(uri: "/test/300", method: .post)
            let summary = try json(response)
            #expect(response.status == .ok, "\(summary)")
            #expect(summary["requested"] as? Int == 300 && summary["ok"] as? Int == 300 && summary["failed"] as? Int == 0, "\(summary)")
            #expect((summary["duration_ms"] as? Int).map { $0 >= 0 } == true)
            let stats = try json(try await client.execute(uri: "/stats?limit=500", method: .get))
            let counted = (stats["items"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
            #expect(counted == 300)
            #expect((stats["items"] as? [[String: Any]])?.allSatisfy { ($0["path"] as? String)?.hasPrefix("/selftest/") == true } == true)

            // The requests carry the caller's own token; a write token (which grants read) serves as well.
            let tokens = try json(try await client.send(.post, "/tokens", json: #"{"name":"w","scopes":["write"]}"#))
            let writer = AuthorizedClient(base: client.base, secret: try #require(tokens["token"] as? String))
            #expect(try json(try await writer.execute(uri: "/test/5", method: .post))["ok"] as? Int == 5)
        }
    }
}
