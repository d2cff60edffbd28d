import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import OpenAPIKit
import Synchronization
import Testing
import Yams

@testable import AssayServer

private let documentPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("docs/openapi.yaml").path

/// The router's template for a documented path: a trailing `{pattern}` or `{path}` is Hummingbird's catch-all `**`.
private func routerTemplate(_ documented: String) -> String {
    for parameter in ["{pattern}", "{path}"] where documented.hasSuffix("/" + parameter) {
        return String(documented.dropLast(parameter.count)) + "**"
    }
    return documented
}

/// Checks JSON values against the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) our document uses:
/// `$ref`, `type` (one or a list), `properties`, `required`, `items`, `enum`, `allOf`, `oneOf`,
/// `additionalProperties`, `minimum`, `maximum`, `maxItems`.
private struct SchemaChecker {
    let document: [String: Any]

    func resolve(_ node: [String: Any]) -> [String: Any] {
        guard let reference = node["$ref"] as? String, reference.hasPrefix("#/") else { return node }
        var current: Any = document
        for key in reference.dropFirst(2).split(separator: "/") { current = (current as? [String: Any])?[String(key)] ?? [:] }
        return resolve(current as? [String: Any] ?? [:])
    }

    func problems(_ value: Any, against raw: [String: Any], at path: String = "$") -> [String] {
        let schema = resolve(raw)
        var found: [String] = []
        if let all = schema["allOf"] as? [[String: Any]] { for part in all { found += problems(value, against: part, at: path) } }
        if let one = schema["oneOf"] as? [[String: Any]] {
            let matching = one.filter { problems(value, against: $0, at: path).isEmpty }.count
            if matching != 1 { found.append("\(path): matches \(matching) of the oneOf schemas") }
        }
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [(type as? String) ?? ""]
            guard types.contains(where: { Self.value(value, is: $0) }) else { return found + ["\(path): \(value) is not \(types)"] }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) {
            found.append("\(path): \(value) is not one of \(allowed)")
        }
        if let number = value as? NSNumber, !(value is String) {
            if let minimum = schema["minimum"] as? Double, number.doubleValue < minimum { found.append("\(path): below \(minimum)") }
            if let maximum = schema["maximum"] as? Double, number.doubleValue > maximum { found.append("\(path): above \(maximum)") }
            if let minimum = schema["minimum"] as? Int, number.doubleValue < Double(minimum) { found.append("\(path): below \(minimum)") }
            if let maximum = schema["maximum"] as? Int, number.doubleValue > Double(maximum) { found.append("\(path): above \(maximum)") }
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, member) in object {
                if let property = properties[key] as? [String: Any] {
                    found += problems(member, against: property, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += problems(member, against: additional, at: "\(path).\(key)")
                } else if schema["properties"] != nil {
                    found.append("\(path): undocumented member \(key)")
                }
            }
        }
        if let array = value as? [Any], !(value is [String: Any]) {
            if let most = schema["maxItems"] as? Int, array.count > most { found.append("\(path): more than \(most) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { found += problems(item, against: items, at: "\(path)[\(index)]") }
            }
        }
        return found
    }

    private static func value(_ value: Any, is type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "string": return value is String
        case "object": return value is [String: Any]
        case "array": return value is [Any] && !(value is [String: Any])
        case "boolean": return value is Bool
        case "integer":
            guard let number = value as? NSNumber, !(value is String) else { return false }
            return number.doubleValue.rounded() == number.doubleValue
        case "number": return value is NSNumber && !(value is String)
        default: return false
        }
    }
}

@Suite("OpenAPI document")
struct OpenAPITests {
    let text: String
    let raw: [String: Any]

    init() throws {
        text = try String(contentsOfFile: documentPath, encoding: .utf8)
        raw = try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test func isAValidOpenAPIDocument() throws {
        let document = try YAMLDecoder().decode(OpenAPI.Document.self, from: text)
        _ = try document.validate()
        #expect(document.openAPIVersion == .v3_1_0)
    }

    @Test func documentsEveryRegisteredRouteAndNothingElse() async throws {
        let document = try YAMLDecoder().decode(OpenAPI.Document.self, from: text)
        var documented: Set<String> = []
        for (path, item) in document.paths {
            let pathItem = try #require(item.pathItemValue, "\(path.rawValue) is a reference")
            for endpoint in pathItem.endpoints {
                documented.insert("\(endpoint.method.rawValue) \(routerTemplate("/" + path.components.joined(separator: "/")))")
            }
        }
        let tokens = TokenService(store: InMemoryTokenStore(), hasher: SHA256TokenHasher())
        let router = buildRouter(adapters: .inMemory(), tokens: tokens, clock: SystemClock(), configuration: AssayConfiguration()).router
        let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        #expect(documented.subtracting(registered).sorted() == [], "documented routes the server does not have")
        // Every other registered route is a 405 answer for a method the path does not have: prove it by calling it.
        let undocumented = registered.subtracting(documented).sorted()
        #expect(undocumented.count > 20)
        var logger = Logger(label: "openapi-test")
        logger.logLevel = .critical
        _ = try await tokens.store(secret: testAdminSecret, name: "admin", user: "admin", scopes: [.admin])
        try await Application(router: router, logger: logger).test(.router) { client in
            for route in undocumented {
                let parts = route.split(separator: " ", maxSplits: 1)
                let uri = String(parts[1]).replacingOccurrences(of: "**", with: "x").replacing(/\{[a-z_]+\}/) { _ in "1" }
                let response = try await client.execute(
                    uri: uri, method: HTTPRequest.Method(String(parts[0])) ?? .get, headers: [.authorization: "Bearer \(testAdminSecret)"])
                #expect(response.status == .methodNotAllowed, "\(route) is not documented and answers \(response.status)")
                #expect(response.headers[.allow]?.isEmpty == false, "\(route) has no Allow header")
            }
        }
    }

    @Test func theSchemaCheckerRejectsWrongShapes() {
        let checker = SchemaChecker(document: raw)
        let run: [String: Any] = ["$ref": "#/components/schemas/Features"]
        #expect(!checker.problems(["user_id": 1], against: run).isEmpty, "missing members pass")
        let wrongType: [String: Any] = [
            "user_id": "1", "name": "A", "email": "a@b", "signup_date": "2024-01-01T00:00:00Z", "experiment_count": 1.5,
            "total_run_time": 1, "avg_run_time": NSNull(), "distinct_compounds": 0, "top_compound": NSNull(), "top_compound_uses": 0,
            "tied_compounds": ["x"],
        ]
        #expect(checker.problems(wrongType, against: run).count == 3, "\(checker.problems(wrongType, against: run))")
        let status: [String: Any] = ["$ref": "#/components/schemas/GeneSearch"]
        #expect(!checker.problems(["query": "a", "items": [["id": 1, "name": "A", "match": "close", "similarity": 1]]], against: status).isEmpty)
    }

    /// Real answers of the router, one or more per documented operation and status, checked against the document.
    @Test func recordedResponsesMatchTheirSchemas() async throws {
        let checker = SchemaChecker(document: raw)
        let paths = try #require(raw["paths"] as? [String: Any])
        let text = self.text
        let recorded = Mutex<[(TestResponse, HTTPRequest.Method, String)]>([])
        let check: @Sendable (TestResponse, HTTPRequest.Method, String) -> Void = { response, method, path in
            recorded.withLock { $0.append((response, method, path)) }
        }
        let validate: (TestResponse, HTTPRequest.Method, String) throws -> Void = { response, method, path in
            let label = "\(method) \(path) \(response.status.code)"
            let operation = try #require((paths[path] as? [String: Any])?[method.rawValue.lowercased()] as? [String: Any], "\(label): undocumented")
            let responses = try #require(operation["responses"] as? [String: Any])
            let documented = try #require(responses["\(response.status.code)"] as? [String: Any], "\(label): status not documented")
            let answer = checker.resolve(documented)
            let contentType = response.headers[.contentType]?.split(separator: ";").first.map(String.init)
            guard let contentType else {
                #expect(answer["content"] == nil, "\(label): documented with a body, answered without one")
                return
            }
            let schema = try #require(
                ((answer["content"] as? [String: Any])?[contentType] as? [String: Any])?["schema"] as? [String: Any],
                "\(label): \(contentType) not documented")
            if contentType.hasSuffix("json") {
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body), options: [.fragmentsAllowed])
                let problems = checker.problems(body, against: schema)
                #expect(problems.isEmpty, "\(label): \(problems)")
            }
        }
        try await withApp { client in
            check(try await client.execute(uri: "/health", method: .get), .get, "/health")
            check(try await client.execute(uri: "/metrics", method: .get), .get, "/metrics")
            check(try await client.execute(uri: "/ready", method: .get), .get, "/ready")
            let spec = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(String(buffer: spec.body) == text)
            check(spec, .get, "/openapi.yaml")

            let created = try await client.send(.post, "/genesets", json: #"{"title":"Open Genes","genes":[{"name":"BRCA1"},{"name":"TP53"}]}"#)
            check(created, .post, "/genesets")
            let id = try #require(try json(created)["id"] as? Int)
            check(try await client.execute(uri: "/genesets/\(id)", method: .get), .get, "/genesets/{id}")
            check(try await client.send(.put, "/genesets/\(id)", json: #"{"title":"Opener","genes":[{"name":"BRCA2"}]}"#), .put, "/genesets/{id}")
            check(try await client.execute(uri: "/genesets?limit=2&q=open", method: .get), .get, "/genesets")
            check(try await client.execute(uri: "/genesets/search/Open", method: .get), .get, "/genesets/search/{pattern}")
            check(try await client.execute(uri: "/genes?limit=2", method: .get), .get, "/genes")
            check(try await client.execute(uri: "/genes/BRCA2", method: .get), .get, "/genes/{name}")
            check(try await client.execute(uri: "/genes/search?q=BRC", method: .get), .get, "/genes/search")
            check(try await client.execute(uri: "/genes/search/BRAC", method: .get), .get, "/genes/search/{pattern}")
            check(try await client.execute(uri: "/genesets/\(id)", method: .delete), .delete, "/genesets/{id}")
            check(try await client.execute(uri: "/genesets/\(id)", method: .get), .get, "/genesets/{id}")
            check(try await client.execute(uri: "/genes/NOPE", method: .get), .get, "/genes/{name}")
            check(try await client.execute(uri: "/genesets?limit=0", method: .get), .get, "/genesets")
            check(try await client.send(.post, "/genesets", json: #"{"title":"","genes":[]}"#), .post, "/genesets")
            check(try await client.send(.post, "/genesets", json: #"{"title":"#), .post, "/genesets")
            check(
                try await client.execute(
                    uri: "/genesets", method: .get, headers: [.authorization: "Bearer assay_wrong-token-0123456789abcdef0123456789"]),
                .get, "/genesets")

            let token = try await client.send(.post, "/tokens", json: #"{"name":"reader","user":"reader","scopes":["read"],"expires_in":"1d"}"#)
            check(token, .post, "/tokens")
            let secret = try #require(try json(token)["token"] as? String)
            let reader = AuthorizedClient(base: client.base, secret: secret)
            check(try await reader.send(.post, "/genesets", json: #"{"title":"x","genes":[{"name":"A"}]}"#), .post, "/genesets")
            check(try await client.execute(uri: "/tokens", method: .get), .get, "/tokens")
            check(try await reader.execute(uri: "/me", method: .get), .get, "/me")
            check(try await client.base.execute(uri: "/me", method: .get), .get, "/me")
            check(try await client.execute(uri: "/tokens/\(try #require(try json(token)["id"] as? Int))", method: .delete), .delete, "/tokens/{id}")
            check(try await client.execute(uri: "/tokens/9999", method: .delete), .delete, "/tokens/{id}")

            let collection = try await client.send(.post, "/collections", json: #"{"name":"Hallmark","description":"curated"}"#)
            check(collection, .post, "/collections")
            let collectionID = try #require(try json(collection)["id"] as? Int)
            check(try await client.send(.post, "/collections", json: #"{"name":"hallmark"}"#), .post, "/collections")
            let gmt = ByteBuffer(string: "A\tna\tBRCA1\tTP53\nB\t\tTP53\tMYC\n")
            let imported = try await client.execute(
                uri: "/collections/\(collectionID)/gmt", method: .post, headers: [.contentType: "text/tab-separated-values"], body: gmt)
            check(imported, .post, "/collections/{id}/gmt")
            check(
                try await client.execute(
                    uri: "/collections/\(collectionID)/gmt", method: .post, headers: [.contentType: "text/plain"],
                    body: ByteBuffer(string: "C\tno genes\n")), .post, "/collections/{id}/gmt")
            check(try await client.execute(uri: "/collections", method: .get), .get, "/collections")
            check(try await client.execute(uri: "/collections/\(collectionID)", method: .get), .get, "/collections/{id}")
            check(try await client.execute(uri: "/collections/\(collectionID)/gmt", method: .get), .get, "/collections/{id}/gmt")
            check(try await client.execute(uri: "/genesets?collection=\(collectionID)", method: .get), .get, "/genesets")
            check(
                try await client.send(.post, "/enrichment", json: #"{"genes":["TP53","MYC","NOPE"],"collection":\#(collectionID)}"#),
                .post, "/enrichment")
            check(try await client.send(.post, "/enrichment", json: #"{"genes":[]}"#), .post, "/enrichment")
            check(
                try await client.send(.post, "/enrichment", json: #"{"genes":["TP53","KIAA1429","QARS"],"resolve":true}"#), .post, "/enrichment")
            check(
                try await client.send(.post, "/genes/resolve", json: #"{"genes":["KIAA1429","QARS","VIRMA","nope","kiaa1429"],"species":"human"}"#),
                .post, "/genes/resolve")
            check(try await client.send(.post, "/genes/resolve", json: #"{"genes":[],"species":"rat"}"#), .post, "/genes/resolve")
            let resolved = try await client.send(
                .post, "/genesets?resolve=true", json: #"{"title":"Renamed","genes":[{"name":"KIAA1429"},{"name":"QARS"},{"name":"NOPE9"}]}"#)
            check(resolved, .post, "/genesets")
            let resolvedID = try #require(try json(resolved)["id"] as? Int)
            check(
                try await client.send(.put, "/genesets/\(resolvedID)", json: #"{"title":"Renamed","genes":[{"name":"C10orf2"}],"resolve":true}"#),
                .put, "/genesets/{id}")
            check(try await client.execute(uri: "/genes/PEO1", method: .get), .get, "/genes/{name}")
            check(try await client.execute(uri: "/collections/\(collectionID)", method: .delete), .delete, "/collections/{id}")
            check(try await client.execute(uri: "/collections/\(collectionID)", method: .get), .get, "/collections/{id}")
            check(try await client.execute(uri: "/features/1", method: .get), .get, "/features/{user_id}")
            let run = try await client.execute(uri: "/etl?wait=true", method: .post)
            check(run, .post, "/etl")
            let runID = try #require((try json(run)["run"] as? [String: Any])?["id"] as? Int)
            check(try await client.execute(uri: "/etl", method: .post), .post, "/etl")
            check(try await client.send(.post, "/etl", json: "{}"), .post, "/etl")
            check(try await client.execute(uri: "/etl/runs", method: .get), .get, "/etl/runs")
            check(try await client.execute(uri: "/etl/runs/\(runID)", method: .get), .get, "/etl/runs/{id}")
            check(try await client.execute(uri: "/etl/runs/999", method: .get), .get, "/etl/runs/{id}")
            check(try await client.execute(uri: "/features?limit=3", method: .get), .get, "/features")
            check(try await client.execute(uri: "/features/8", method: .get), .get, "/features/{user_id}")
            check(try await client.execute(uri: "/features/x", method: .get), .get, "/features/{user_id}")
            check(try await client.execute(uri: "/api/users//42/", method: .get), .get, "/api/{path}")
            check(try await client.execute(uri: "/api/" + String(repeating: "x", count: 2_000), method: .get), .get, "/api/{path}")
            check(try await client.execute(uri: "/stats?limit=5&window=24h", method: .get), .get, "/stats")
            check(try await client.execute(uri: "/stats?window=1y", method: .get), .get, "/stats")
            check(try await client.execute(uri: "/test/0", method: .post), .post, "/test/{n}")
            let product = try await client.send(.post, "/products", json: #"{"name":"Kit","category":"lab","price":12.5}"#)
            check(product, .post, "/products")
            let productID = try #require(try json(product)["id"] as? Int)
            check(try await client.send(.post, "/products", json: #"{"name":"","category":"lab","price":-1}"#), .post, "/products")
            check(try await client.send(.post, "/products/\(productID)/views", json: #"{"user_id":7}"#), .post, "/products/{id}/views")
            check(try await client.send(.post, "/products/\(productID)/views", json: #"{"user_id":-7}"#), .post, "/products/{id}/views")
            check(try await client.send(.post, "/products/\(productID)/costs", json: #"{"amount":3.25,"kind":"ads"}"#), .post, "/products/{id}/costs")
            check(try await client.send(.post, "/products/999/costs", json: #"{"amount":3.25,"kind":"ads"}"#), .post, "/products/{id}/costs")
            check(try await client.execute(uri: "/products/\(productID)", method: .get), .get, "/products/{id}")
            check(try await client.execute(uri: "/products?limit=5", method: .get), .get, "/products")
            check(try await client.execute(uri: "/products/\(productID)/analytics?days=7", method: .get), .get, "/products/{id}/analytics")
            check(try await client.execute(uri: "/products/\(productID)/analytics?days=0", method: .get), .get, "/products/{id}/analytics")
            check(try await client.execute(uri: "/products/top?by=cost&days=30&limit=3", method: .get), .get, "/products/top")
            check(try await client.execute(uri: "/products/top?by=fame", method: .get), .get, "/products/top")
        }
        let responses = recorded.withLock { $0 }
        for (response, method, path) in responses { try validate(response, method, path) }
        #expect(responses.count >= 50)
    }
}
