import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import AssayServer

/// A live server for raw-socket tests; `body` gets its port.
func withLiveServer(_ configuration: AssayConfiguration = liveConfiguration(), _ body: @Sendable (Int) async throws -> Void) async throws {
    var logger = Logger(label: "assay-test")
    logger.logLevel = .critical
    let app = try await buildApplication(configuration, adapters: try await testAdapters(), metrics: AppMetrics(), logger: logger)
    try await app.test(.live) { client in try await body(try #require(client.port)) }
}

/// What the server does with bytes only a hostile or broken client sends (issue 21), over real sockets on loopback.
@Suite("HTTP hardening")
struct HTTPHardeningTests {
    /// Requests the HTTP parser refuses get a problem body like every other error, then the connection is closed.
    @Test func parserErrorsAreProblemsThenClose() async throws {
        let cases: [(name: String, request: [UInt8], status: Int)] = [
            ("100 KB header", Array("GET /health HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8), 431),
            ("1 MB URL", Array("GET /\(String(repeating: "a", count: 1 << 20)) HTTP/1.1\r\nHost: a\r\n\r\n".utf8), 414),
            ("NUL in the target", Array("GET /a".utf8) + [0] + Array("b HTTP/1.1\r\nHost: a\r\n\r\n".utf8), 400),
            ("unknown method", Array("FROB /health HTTP/1.1\r\nHost: a\r\n\r\n".utf8), 501),
            ("HTTP/9.9", Array("GET /health HTTP/9.9\r\nHost: a\r\n\r\n".utf8), 505),
            (
                "Content-Length with Transfer-Encoding",
                Array("POST /genesets HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8), 400
            ),
            ("two Content-Lengths", Array("POST /genesets HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".utf8), 400),
            ("negative Content-Length", Array("POST /genesets HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n".utf8), 400),
        ]
        try await withLiveServer { port in
            for (name, request, status) in cases {
                let exchange = try await RawHTTP.exchange(port: port, [request])
                #expect(exchange.status == status, "\(name): \(String(decoding: exchange.bytes.prefix(300), as: UTF8.self))")
                #expect(exchange.headers["content-type"] == "application/problem+json", "\(name)")
                #expect(exchange.headers["connection"] == "close", "\(name)")
                #expect(exchange.json?["status"] as? Int == status, "\(name)")
                #expect(exchange.json?["detail"] is String, "\(name)")
                #expect(exchange.closedByServer, "\(name)")
            }
            // The server still answers well-formed requests.
            #expect(try await RawHTTP.exchange(port: port, "GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").status == 200)
        }
    }

    /// A 413 is answered at once and the connection closed, instead of waiting for a body that may never come.
    @Test func aTooLargeBodyIsAnsweredAndTheConnectionClosed() async throws {
        var configuration = liveConfiguration()
        configuration.maxBodyBytes = 4_096
        try await withLiveServer(configuration) { port in
            let request =
                "POST /genesets HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \(testAdminSecret)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{\"title\":"
            let exchange = try await RawHTTP.exchange(port: port, request, readFor: .seconds(12))
            #expect(exchange.status == 413)
            #expect(exchange.headers["content-type"] == "application/problem+json")
            // At once (well under a second unloaded); before, the server waited for the body until the client gave up.
            #expect(exchange.closedByServer && exchange.elapsed < .seconds(4), "\(exchange.elapsed)")
        }
    }
}
