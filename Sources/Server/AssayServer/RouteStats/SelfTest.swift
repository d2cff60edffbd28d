import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The address this server listens on, known once the server runs; `POST /test/{n}` calls it.
final class ServerAddress: Sendable {
    private let bound = Mutex<(host: String, port: Int)?>(nil)

    /// Records the listening socket; a wildcard address becomes the loopback address of its family.
    func record(_ address: SocketAddress?) {
        guard let address, let port = address.port, let ip = address.ipAddress else { return }
        let host =
            switch ip {
            case "0.0.0.0": "127.0.0.1"
            case "::", "::0": "::1"
            default: ip
            }
        bound.withLock { $0 = (host, port) }
    }

    /// `host:port` for a URL (IPv6 in brackets), or `nil` before the server listens.
    var authority: String? {
        bound.withLock { value in value.map { $0.host.contains(":") ? "[\($0.host)]:\($0.port)" : "\($0.host):\($0.port)" } }
    }
}

/// `POST /test/{n}`: requests `n` random `/api/...` paths from this server over real HTTP with async-http-client,
/// at most ``concurrency`` at a time, and reports how many succeeded. The requests carry the caller's own
/// `Authorization` header, so they get no more access than the caller has.
struct SelfTest: Sendable {
    /// Requests one call may make.
    static let allowedCounts = 1...100_000
    /// Requests in flight at once.
    static let concurrency = 64
    /// Distinct paths the requests pick from.
    static let distinctPaths = 1_000
    /// Longest a run may take; requests not started by then count as failed.
    static let runLimit: Duration = .seconds(120)

    let address: ServerAddress
    /// PEM certificate the server presents, trusted for its own loopback calls; `nil` for plain HTTP.
    let certificatePath: String?

    struct Summary: ResponseEncodable {
        let requested: Int
        let ok: Int
        let failed: Int
        let concurrency: Int
        let durationMS: Int

        enum CodingKeys: String, CodingKey {
            case requested, ok, failed, concurrency
            case durationMS = "duration_ms"
        }
    }

    func run(count: Int, authorization: String?) async throws -> Summary {
        guard let authority = address.authority else {
            throw Problem(.serviceUnavailable, detail: "the server's listening address is not known yet")
        }
        let base = (certificatePath == nil ? "http://" : "https://") + authority + "/api/selftest/"
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: try clientConfiguration())
        let started = ContinuousClock.now
        let deadline = started + Self.runLimit
        let ok = await withTaskGroup(of: Bool.self) { group in
            var started = 0
            var ok = 0
            func startOne() {
                started += 1
                let url = base + String(Int.random(in: 0..<Self.distinctPaths))
                group.addTask { await Self.get(url, authorization: authorization, client: client, deadline: deadline) }
            }
            while started < min(count, Self.concurrency) { startOne() }
            for await success in group {
                if success { ok += 1 }
                if started < count, ContinuousClock.now < deadline { startOne() }
            }
            return ok
        }
        try await client.shutdown()
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return Summary(requested: count, ok: ok, failed: count - ok, concurrency: Self.concurrency, durationMS: milliseconds)
    }

    private func clientConfiguration() throws -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(10), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.concurrency)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        configuration.httpVersion = .http1Only
        if let certificatePath {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            tls.additionalTrustRoots = [.file(certificatePath)]
            // The server calls itself on a loopback address, which its certificate need not name.
            tls.certificateVerification = .noHostnameVerification
            configuration.tlsConfiguration = tls
        }
        return configuration
    }

    /// One request; `true` for a 2xx answer. Errors count as failures, never end the run.
    private static func get(_ url: String, authorization: String?, client: HTTPClient, deadline: ContinuousClock.Instant) async -> Bool {
        var request = HTTPClientRequest(url: url)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        do {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            let response = try await client.execute(request, timeout: .seconds(min(10, max(1, remaining.components.seconds))))
            _ = try await response.body.collect(upTo: 64 * 1_024)
            return (200..<300).contains(response.status.code)
        } catch {
            return false
        }
    }
}
