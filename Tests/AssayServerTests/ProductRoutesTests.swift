import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AssayServer

extension TestClientProtocol {
    /// Creates a product and returns its id.
    func createProduct(_ name: String, price: Double = 10) async throws -> Int64 {
        let response = try await send(.post, "/products", json: #"{"name":"\#(name)","category":"reagents","price":\#(price)}"#)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require((try json(response)["id"] as? NSNumber)?.int64Value)
    }
}

/// The field names listed by a 422 problem.
private func fields(_ response: TestResponse) throws -> [String] {
    let body = try expectProblem(response, .unprocessableContent)
    return (body["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
}

@Suite("Product routes")
struct ProductRoutesTests {
    @Test func productsViewsCostsAndAnalytics() async throws {
        let clock = ManualClock()  // 2023-11-14T22:13:20Z
        try await withApp(clock: clock) { client in
            let created = try await client.send(.post, "/products", json: #"{"name":" Pipette ","category":"consumables","price":19.99}"#)
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/products/1")
            let product = try json(created)
            #expect(product["name"] as? String == "Pipette" && product["price"] as? Double == 19.99)
            #expect(product["created_at"] as? String == "2023-11-14T22:13:20Z")
            let other = try await client.createProduct("Centrifuge", price: 1200)

            for user in [5, 5, 6] {
                let view = try await client.send(.post, "/products/1/views", json: #"{"user_id":\#(user)}"#)
                #expect(view.status == .created)
                #expect(try json(view)["user_id"] as? Int == user)
            }
            let cost = try await client.send(.post, "/products/1/costs", json: #"{"amount":3.5,"kind":"shipping"}"#)
            #expect(cost.status == .created)
            #expect(try json(cost)["amount"] as? Double == 3.5)

            let first = try json(try await client.execute(uri: "/products/1/analytics?days=7", method: .get))
            #expect(first["views"] as? Int == 3 && first["unique_viewers"] as? Int == 2)
            #expect(first["total_cost"] as? Double == 3.5)
            #expect((first["cost_per_view"] as? Double).map { abs($0 - 3.5 / 3) < 1e-9 } == true)
            #expect(first["cached"] as? Bool == false)
            #expect(first["window_end"] as? String == "2023-11-14T22:14:00Z")
            #expect(first["window_start"] as? String == "2023-11-07T22:14:00Z")
            #expect(first["days"] as? Int == 7 && first["product_id"] as? Int == 1)
            let second = try json(try await client.execute(uri: "/products/1/analytics?days=7", method: .get))
            #expect(second["cached"] as? Bool == true && second["views"] as? Int == 3)

            _ = try await client.send(.post, "/products/1/views", json: #"{"user_id":7}"#)
            let afterWrite = try json(try await client.execute(uri: "/products/1/analytics?days=7", method: .get))
            #expect(afterWrite["cached"] as? Bool == false && afterWrite["views"] as? Int == 4)

            let empty = try json(try await client.execute(uri: "/products/\(other)/analytics", method: .get))
            #expect(empty["views"] as? Int == 0 && empty["days"] as? Int == 30)
            #expect(empty["cost_per_view"] is NSNull)

            let list = try json(try await client.execute(uri: "/products?limit=1", method: .get))
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["views"] as? Int == 4 && items[0]["total_cost"] as? Double == 3.5)
            let cursor = try #require(list["next_cursor"] as? String)
            let next = try json(try await client.execute(uri: "/products?limit=1&cursor=\(cursor)", method: .get))
            #expect((next["items"] as? [[String: Any]])?.first?["id"] as? Int == Int(other))
            #expect(next["next_cursor"] is NSNull)

            let top = try json(try await client.execute(uri: "/products/top?by=views&days=30&limit=10", method: .get))
            let leaders = try #require(top["items"] as? [[String: Any]])
            #expect(leaders.count == 1 && leaders[0]["rank"] as? Int == 1 && leaders[0]["views"] as? Int == 4)
            #expect((leaders[0]["product"] as? [String: Any])?["name"] as? String == "Pipette")
            #expect(top["by"] as? String == "views")
            #expect(top["cached"] as? Bool == false)
            let again = try json(try await client.execute(uri: "/products/top?by=views&days=30&limit=10", method: .get))
            #expect(again["cached"] as? Bool == true)
            let byCost = try json(try await client.execute(uri: "/products/top?by=cost", method: .get))
            #expect((byCost["items"] as? [[String: Any]])?.first?["total_cost"] as? Double == 3.5)

            #expect(try await client.execute(uri: "/products/1", method: .get).status == .ok)
        }
    }

    @Test func viewsOutsideTheWindowAreNotCounted() async throws {
        let clock = ManualClock()
        try await withApp(clock: clock) { client in
            let id = try await client.createProduct("Buffer")
            _ = try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":1}"#)
            clock.advance(by: 86_400 + 60)  // more than a day and a minute later
            _ = try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":2}"#)
            let day = try json(try await client.execute(uri: "/products/\(id)/analytics?days=1", method: .get))
            #expect(day["views"] as? Int == 1)
            let week = try json(try await client.execute(uri: "/products/\(id)/analytics?days=7", method: .get))
            #expect(week["views"] as? Int == 2 && week["unique_viewers"] as? Int == 2)
        }
    }

    @Test func invalidBodiesName422Fields() async throws {
        try await withApp { client in
            let id = try await client.createProduct("Tips")
            #expect(try fields(try await client.send(.post, "/products/\(id)/views", json: "{}")) == ["user_id"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":"42"}"#)) == ["user_id"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":-1}"#)) == ["user_id"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":1.5}"#)) == ["user_id"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":null}"#)) == ["user_id"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":1e30}"#)) == ["user_id"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/costs", json: #"{"amount":1.234,"kind":" "}"#)) == ["amount", "kind"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/costs", json: #"{"amount":-5,"kind":"tax"}"#)) == ["amount"])
            #expect(try fields(try await client.send(.post, "/products/\(id)/costs", json: #"{"kind":"tax"}"#)) == ["amount"])
            #expect(try fields(try await client.send(.post, "/products", json: #"{"name":"","category":"c","price":1}"#)) == ["name"])
            #expect(try fields(try await client.send(.post, "/products", json: #"{"name":"n","category":"c","price":"1"}"#)) == ["price"])
            try expectProblem(try await client.send(.post, "/products/\(id)/views", json: "{"), .badRequest)
            try expectProblem(try await client.send(.post, "/products/\(id)/views", json: ""), .badRequest)
        }
    }

    @Test func badParametersAndUnknownProductsAreProblems() async throws {
        try await withApp { client in
            let id = try await client.createProduct("Tips")
            for uri in [
                "/products/\(id)/analytics?days=0", "/products/\(id)/analytics?days=366", "/products/\(id)/analytics?days=x",
                "/products/top?by=likes", "/products/top?days=0", "/products/top?limit=0", "/products/top?limit=101",
                "/products?limit=0", "/products?cursor=nope!", "/products/abc", "/products/0/analytics",
            ] {
                try expectProblem(try await client.execute(uri: uri, method: .get), .badRequest)
            }
            for uri in ["/products/999", "/products/999/analytics"] {
                let body = try expectProblem(try await client.execute(uri: uri, method: .get), .notFound)
                #expect((body["detail"] as? String)?.contains("999") == true)
            }
            try expectProblem(try await client.send(.post, "/products/999/views", json: #"{"user_id":1}"#), .notFound)
            try expectProblem(try await client.send(.post, "/products/999/costs", json: #"{"amount":1,"kind":"tax"}"#), .notFound)
        }
    }

    @Test func concurrentAnalyticsRequestsAgree() async throws {
        try await withApp { client in
            let id = try await client.createProduct("Hot")
            for user in 0..<10 { _ = try await client.send(.post, "/products/\(id)/views", json: #"{"user_id":\#(user % 4)}"#) }
            let views = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<50 {
                    group.addTask { try json(try await client.execute(uri: "/products/\(id)/analytics", method: .get))["unique_viewers"] as? Int }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(views == Array(repeating: 4, count: 50))
        }
    }
}
