import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AssayServer

@Suite("Gene-set routes")
struct GenesetRoutesTests {
    @Test func createReadReplaceDelete() async throws {
        try await withApp { client in
            let created = try await client.send(.post, "/genesets", json: #"{"title":"Great Genes","genes":[{"name":"BRCA1"},{"name":"TP53"}]}"#)
            #expect(created.status == .created)
            let body = try json(created)
            let id = try #require(body["id"] as? Int)
            #expect(created.headers[.location] == "/genesets/\(id)")
            #expect(body["title"] as? String == "Great Genes")
            #expect((body["genes"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["BRCA1", "TP53"])
            #expect(body["created_at"] is String && body["updated_at"] is String)
            #expect(created.headers[.requestID]?.isEmpty == false)

            let read = try await client.execute(uri: "/genesets/\(id)", method: .get)
            #expect(read.status == .ok)
            #expect(try json(read)["title"] as? String == "Great Genes")

            let replaced = try await client.send(.put, "/genesets/\(id)", json: #"{"title":"Greater Genes","genes":[{"name":"MYC"}]}"#)
            #expect(replaced.status == .ok)
            #expect(try json(replaced)["title"] as? String == "Greater Genes")
            let brca1 = try json(try await client.execute(uri: "/genes/BRCA1", method: .get))
            #expect((brca1["genesets"] as? [Any])?.isEmpty == true)

            let deleted = try await client.execute(uri: "/genesets/\(id)", method: .delete)
            #expect(deleted.status == .noContent)
            try expectProblem(try await client.execute(uri: "/genesets/\(id)", method: .get), .notFound)
            try expectProblem(try await client.execute(uri: "/genesets/\(id)", method: .delete), .notFound)
            try expectProblem(try await client.send(.put, "/genesets/\(id)", json: #"{"title":"X","genes":[{"name":"A"}]}"#), .notFound)
        }
    }

    @Test func listPagesWithCursorAndFilters() async throws {
        try await withApp { client in
            for index in 0..<5 { try await client.createGeneset("Set \(index)", ["G\(index)", "COMMON"]) }
            try await client.createGeneset("Great Genes", ["BRCA1"])
            var titles: [String] = []
            var uri = "/genesets?limit=2"
            while true {
                let page = try json(try await client.execute(uri: uri, method: .get))
                titles += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
                guard let cursor = page["next_cursor"] as? String else {
                    #expect(page["next_cursor"] is NSNull)
                    break
                }
                uri = "/genesets?limit=2&cursor=\(cursor)"
            }
            #expect(titles == ["Set 0", "Set 1", "Set 2", "Set 3", "Set 4", "Great Genes"])

            let filtered = try json(try await client.execute(uri: "/genesets?q=set%203", method: .get))
            #expect((filtered["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Set 3"])
            let byGene = try json(try await client.execute(uri: "/genesets?gene=common&limit=500", method: .get))
            #expect((byGene["items"] as? [Any])?.count == 5)
        }
    }

    @Test func acceptanceFlowOfTheFoundationIssue() async throws {
        try await withApp { client in
            for gene in ["BRCA2", "TP53", "BRCA1P1"] { try await client.createGeneset("Other \(gene)", [gene]) }
            let id = try await client.createGeneset("Great Genes", ["BRCA1"])

            let search = try json(try await client.execute(uri: "/genesets/search/Great", method: .get))
            #expect((search["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(id)])

            let gene = try json(try await client.execute(uri: "/genes/brca1", method: .get))
            #expect(gene["name"] as? String == "BRCA1")
            #expect((gene["genesets"] as? [[String: Any]])?.first?["title"] as? String == "Great Genes")

            let ranked = try json(try await client.execute(uri: "/genes/search/BRAC", method: .get))
            let items = try #require(ranked["items"] as? [[String: Any]])
            #expect(items.first?["name"] as? String == "BRCA1")
            #expect(items.first?["match"] as? String == "fuzzy")

            let byQuery = try json(try await client.execute(uri: "/genes/search?q=brca&limit=2", method: .get))
            #expect((byQuery["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["BRCA1", "BRCA2"])
        }
    }

    @Test func searchPatternsMatchWildcardsLiterally() async throws {
        try await withApp { client in
            try await client.createGeneset("50% growth", ["A%B"])
            try await client.createGeneset("500 growth", ["AXB"])
            try await client.createGeneset("under_score", ["A_B"])
            try await client.createGeneset(#"back\slash"#, [#"A\B"#])
            func titles(_ uri: String) async throws -> [String] {
                try (json(try await client.execute(uri: uri, method: .get))["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            }
            func genes(_ uri: String) async throws -> [String] {
                try (json(try await client.execute(uri: uri, method: .get))["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await titles("/genesets/search/%25") == ["50% growth"])
            #expect(try await titles("/genesets/search/_") == ["under_score"])
            #expect(try await titles("/genesets/search/%5C") == [#"back\slash"#])
            #expect(try await titles("/genesets?q=%25") == ["50% growth"])
            #expect(try await genes("/genes/search/%25") == ["A%B"])
            #expect(try await genes("/genes/search?q=_") == ["A_B"])
            #expect(try await genes("/genes/search/%5C") == [#"A\B"#])
            let detail = try json(try await client.execute(uri: "/genes/A%25B", method: .get))
            #expect(detail["name"] as? String == "A%B")
        }
    }

    @Test func genesListIsPaginated() async throws {
        try await withApp { client in
            try await client.createGeneset("Many", (0..<7).map { "GENE\($0)" })
            let first = try json(try await client.execute(uri: "/genes?limit=4", method: .get))
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try json(try await client.execute(uri: "/genes?limit=4&cursor=\(cursor)", method: .get))
            let names = ((first["items"] as? [[String: Any]] ?? []) + (second["items"] as? [[String: Any]] ?? [])).compactMap {
                $0["name"] as? String
            }
            #expect(names == (0..<7).map { "GENE\($0)" })
            #expect(second["next_cursor"] is NSNull)
        }
    }

    @Test func twentyConcurrentCreatesAllSucceedWithDistinctIds() async throws {
        try await withApp { client in
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<20 { group.addTask { try await client.createGeneset("Parallel \(index)", ["SHARED", "P\(index)"]) } }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(ids.count == 20)
            let shared = try json(try await client.execute(uri: "/genes/SHARED", method: .get))
            #expect((shared["genesets"] as? [Any])?.count == 20)
        }
    }
}
