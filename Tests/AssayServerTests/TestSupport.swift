import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AssayServer

/// Runs `test` against a fresh in-memory application driven through the router (no socket).
func withApp(
    configuration: AssayConfiguration = AssayConfiguration(),
    _ test: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    var logger = Logger(label: "assay-test")
    logger.logLevel = .warning
    let app = makeApplication(repository: InMemoryGenesetRepository(), configuration: configuration, logger: logger)
    try await app.test(.router, test)
}

/// A JSON object from a response body.
func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    return try #require(object as? [String: Any], "body is not a JSON object: \(String(buffer: response.body))")
}

extension TestClientProtocol {
    /// Sends a JSON body.
    func send(_ method: HTTPRequest.Method, _ uri: String, json text: String) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: ByteBuffer(string: text))
    }

    /// Creates a gene set and returns its id.
    @discardableResult
    func createGeneset(_ title: String, _ genes: [String]) async throws -> Int64 {
        let body = try JSONSerialization.data(withJSONObject: ["title": title, "genes": genes.map { ["name": $0] }])
        let response = try await send(.post, "/genesets", json: String(decoding: body, as: UTF8.self))
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require((try json(response)["id"] as? NSNumber)?.int64Value)
    }
}

/// Checks that a response is an RFC 9457 problem with the status, and returns its JSON.
@discardableResult
func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(response.status == status, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let body = try json(response)
    #expect(body["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
    #expect(body["title"] as? String == status.reasonPhrase, sourceLocation: sourceLocation)
    #expect(body["type"] as? String == "about:blank", sourceLocation: sourceLocation)
    return body
}
