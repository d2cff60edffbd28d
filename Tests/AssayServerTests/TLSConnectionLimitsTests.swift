import AssayDomain
import Foundation
import Testing

@testable import AssayServer

/// The connection rules of plain HTTP hold over TLS too (issue 21): handshake and header timeouts, the idle timeout on
/// HTTP/1.1 and HTTP/2, problems for what the parser refuses, and a 503 problem over the cap. The client is Python's
/// `ssl` module (a real TLS stack, independent of the server's), on loopback; bounds leave room for a loaded machine.
@Suite("Connection limits over TLS", .serialized)
struct TLSConnectionLimitsTests {
    /// One TLS client; prints what it saw as JSON: elapsed seconds, whether the server closed, the bytes as text, the
    /// protocol ALPN chose.
    private static let client = #"""
        import json, socket, ssl, sys, threading, time
        port, mode = int(sys.argv[1]), sys.argv[2]
        raw = socket.create_connection(("127.0.0.1", port))
        started = time.monotonic()
        def read_all(sock, limit):
            data, deadline = b"", time.monotonic() + limit
            while time.monotonic() < deadline:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = sock.recv(65536)
                except (socket.timeout, TimeoutError):
                    return data, False
                except (ConnectionError, ssl.SSLError, OSError):
                    return data, True
                if not chunk:
                    return data, True
                data += chunk
            return data, False
        alpn = None
        if mode == "silent":
            data, closed = read_all(raw, 10)
        else:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            context.set_alpn_protocols(["h2", "http/1.1"] if mode == "h2" else ["http/1.1"])
            sock = context.wrap_socket(raw, server_hostname="localhost")
            alpn = sock.selected_alpn_protocol()
            if mode == "slow":
                head = b"GET /health HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n"
                def send_slowly():
                    try:
                        for byte in head:
                            sock.send(bytes([byte]))
                            time.sleep(0.1)
                    except (ConnectionError, ssl.SSLError, OSError, ValueError):
                        pass
                threading.Thread(target=send_slowly, daemon=True).start()
            elif mode == "idle":
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: a\r\n\r\n")
            elif mode == "bad":
                sock.sendall(b"GET /health HTTP/9.9\r\nHost: a\r\n\r\n")
            elif mode == "request":
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            elif mode == "h2":
                sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
            data, closed = read_all(sock, 5 if mode == "hold" else 10)
        print(json.dumps({"elapsed": time.monotonic() - started, "closed": closed, "text": data.decode("latin-1"), "alpn": alpn}))
        """#

    private struct Seen: Decodable {
        let elapsed: Double
        let closed: Bool
        let text: String
        let alpn: String?

        var status: Int? { text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } }
        var isProblem: Bool { text.lowercased().contains("content-type: application/problem+json") }
    }

    private static func connect(_ port: Int, _ mode: String) async throws -> Seen {
        let result = try await Subprocess.run(["python3", "-c", client, String(port), mode], timeout: .seconds(40))
        #expect(result.status == 0, "\(result.output)")
        return try JSONDecoder().decode(Seen.self, from: Data(result.output.utf8))
    }

    private static func withTLSServer(
        maxConnections: Int = 1_000, idleTimeout: Double = 1, maxBodyBytes: Int = 1 << 20, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try TLSSetup.writeSelfSigned(to: directory, validDays: 1)
        var configuration = liveConfiguration()
        configuration.tlsCertificate = certificate
        configuration.tlsKey = key
        configuration.headerTimeoutSeconds = 0.5
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.maxConnections = maxConnections
        configuration.maxBodyBytes = maxBodyBytes
        try await withLiveServer(configuration, body)
    }

    /// A head sent a byte every 100 ms over TLS gets a 408 problem after the header timeout (0.5 s), then the close; a
    /// connection that never starts its handshake is closed after the same time.
    @Test func slowAndSilentTLSClientsAreDisconnected() async throws {
        try await Self.withTLSServer { port in
            let slow = try await Self.connect(port, "slow")
            #expect(slow.alpn == "http/1.1")
            #expect(slow.status == 408 && slow.isProblem, "\(slow.text)")
            #expect(slow.closed && slow.elapsed < 8, "\(slow.elapsed)")
            let silent = try await Self.connect(port, "silent")
            #expect(silent.text.isEmpty && silent.closed && silent.elapsed < 6, "\(silent.elapsed)")
        }
    }

    /// After an answer, a kept-alive HTTP/1.1 connection is closed after the idle timeout (1 s); an HTTP/2 connection
    /// without streams too.
    @Test func idleTLSConnectionsAreClosed() async throws {
        try await Self.withTLSServer { port in
            let http1 = try await Self.connect(port, "idle")
            #expect(http1.status == 200, "\(http1.text)")
            #expect(http1.closed && http1.elapsed > 0.9 && http1.elapsed < 6, "\(http1.elapsed)")
            let http2 = try await Self.connect(port, "h2")
            #expect(http2.alpn == "h2")
            #expect(http2.closed && http2.elapsed > 0.9 && http2.elapsed < 6, "\(http2.elapsed)")
        }
    }

    /// What the HTTP parser refuses over TLS is a problem too, then the connection is closed.
    @Test func parserErrorsOverTLSAreProblems() async throws {
        try await Self.withTLSServer { port in
            let bad = try await Self.connect(port, "bad")
            #expect(bad.status == 505 && bad.isProblem, "\(bad.text)")
            #expect(bad.closed && bad.elapsed < 5, "\(bad.elapsed)")
        }
    }

    /// Past the cap, a new TLS connection completes its handshake and gets a 503 problem, then the close.
    @Test func tlsConnectionsOverTheCapAreRefusedCleanly() async throws {
        try await Self.withTLSServer(maxConnections: 4, idleTimeout: 60) { port in
            // The test harness's own client connects in plain text when the server starts; the handshake deadline
            // (0.5 s) closes it. Wait for that, so the four holders take every slot.
            try await Task.sleep(for: .seconds(1))
            try await withThrowingTaskGroup(of: Seen?.self) { group in
                for _ in 0..<4 { group.addTask { try? await Self.connect(port, "hold") } }
                try await Task.sleep(for: .milliseconds(1_500))
                let refused = try await Self.connect(port, "request")
                #expect(refused.status == 503 && refused.isProblem, "\(refused.text)")
                #expect(refused.text.contains("4 connections"), "\(refused.text)")
                #expect(refused.closed && refused.elapsed < 3, "\(refused.elapsed)")
                // The four holders were all admitted, and give up after 5 s by themselves.
                for try await holder in group {
                    #expect(holder?.closed == false && holder?.text.isEmpty == true, "\(String(describing: holder))")
                }
            }
        }
    }

    /// A body over the limit is a 413 problem on HTTP/2 too: the `Connection: close` it carries for HTTP/1.1 clients is
    /// dropped (HTTP/2 forbids it), rather than the stream being reset.
    @Test func aTooLargeBodyOverHTTP2IsAProblem() async throws {
        try await Self.withTLSServer(maxBodyBytes: 1_024) { port in
            let body = "{\"title\":\"\(String(repeating: "a", count: 5_000))\",\"genes\":[\"A\"]}"
            let result = try await Subprocess.run([
                "curl", "-sS", "-k", "--http2", "-w", "\n%{http_code} %{http_version} %{content_type}", "-H",
                "Authorization: Bearer \(testAdminSecret)",
                "-H", "Content-Type: application/json", "--data-binary", body, "https://127.0.0.1:\(port)/genesets",
            ])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.hasSuffix("413 2 application/problem+json"), "\(result.output)")
        }
    }
}
