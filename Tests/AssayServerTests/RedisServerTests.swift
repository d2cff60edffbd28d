import AssayDomain
import AssayInMemory
import AssayRedis
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import AssayServer

#if canImport(Glibc)
    import Glibc
#endif

/// A `redis-server` of the test's own, on a free loopback port, without persistence. Waiting for it never blocks
/// a thread: exit is observed through the termination handler, readiness by polling with `Task.sleep`.
final class RedisServerProcess: Sendable {
    let port: Int
    private let process: Process
    private let exited: AsyncStream<Void>

    var url: String { "redis://127.0.0.1:\(port)/0" }

    private init(port: Int, process: Process, exited: AsyncStream<Void>) {
        self.port = port
        self.process = process
        self.exited = exited
    }

    /// Starts the server on `port` (a free one when `nil`) and waits until it answers PING. A free port is only free
    /// when it was picked: when the server exits at once (another process took the port meanwhile), it tries another.
    static func start(port: Int? = nil) async throws -> RedisServerProcess {
        guard port == nil else { return try await start(on: port) }
        var attempt = 1
        while true {
            do {
                return try await start(on: nil)
            } catch let error as RedisNotStarted where error.exited && attempt < 3 {
                attempt += 1
            }
        }
    }

    private static func start(on port: Int?) async throws -> RedisServerProcess {
        let port = try port ?? freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["redis-server", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (exited, exit) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exit.finish() }
        try process.run()
        let server = RedisServerProcess(port: port, process: process, exited: exited)
        var quiet = Logger(label: "assay-test-redis")
        quiet.logLevel = .critical
        let probe = RedisClient(settings: try RedisSettings(url: server.url, poolSize: 1), logger: quiet)
        defer { probe.shutdown() }
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? await probe.ping()) == nil {
            guard ContinuousClock.now < deadline, process.isRunning else {
                let exited = !process.isRunning
                await server.stop()
                throw RedisNotStarted(port: port, exited: exited)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return server
    }

    /// Kills the server, as a crash would, and waits until it has exited. (SIGKILL: a child started from a
    /// cooperative thread inherits its blocked signal mask, so Redis would never see a SIGTERM.)
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for await _ in exited {}
    }

    struct RedisNotStarted: Error {
        let port: Int
        /// Whether the server had exited (a port taken meanwhile) rather than not answered in time.
        var exited = false
    }

    /// A TCP port nothing listens on now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisNotStarted(port: 0) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RedisNotStarted(port: 0) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

@Suite("Server on Redis", .enabled(if: ProcessInfo.processInfo.environment["ASSAY_TEST_REDIS_URL"] != nil))
struct RedisServerTests {
    /// The composition root picks Redis from configuration, and `/ready` checks it.
    @Test func buildApplicationUsesRedisWhenConfigured() async throws {
        let redis = try await RedisServerProcess.start()
        var configuration = liveConfiguration()
        configuration.redisURL = redis.url
        do {
            try await buildApplication(configuration).test(.router) { client in
                let client = AuthorizedClient(base: client)
                #expect(try json(try await client.execute(uri: "/api/a", method: .get))["count"] as? Int == 1)
                #expect(try json(try await client.execute(uri: "/api/a", method: .get))["count"] as? Int == 2)
                let ready = try json(try await client.execute(uri: "/ready", method: .get))
                #expect((ready["checks"] as? [String: String])?["redis"] == "ok")
                // The pool shows in /metrics. (The gauges are process-wide, and tests run in parallel: only the
                // thread count, the same for every server here, is certain.)
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(metrics.contains("assay_redis_pool_threads 4"), "\(metrics)")
                for gauge in ["assay_redis_connections ", "assay_redis_busy_threads ", "assay_redis_queued_calls "] {
                    #expect(metrics.contains(gauge))
                }
            }
            // The counts are in that Redis, not in this process: a new application sees them.
            try await buildApplication(configuration).test(.router) { client in
                let stats = try json(try await AuthorizedClient(base: client).execute(uri: "/stats", method: .get))
                #expect((stats["items"] as? [[String: Any]])?.first?["count"] as? Int == 2)
            }
        } catch {
            await redis.stop()
            throw error
        }
        await redis.stop()
    }

    /// Redis stops: requests get a 503 problem within a second and `/ready` fails. Redis returns (same port):
    /// requests succeed again without a restart of the server.
    @Test func redisOutageIsA503WithinASecondThenRecovers() async throws {
        let redis = try await RedisServerProcess.start()
        var logger = Logger(label: "assay-test")
        logger.logLevel = .critical
        var configuration = AssayConfiguration()
        configuration.logLevel = .critical
        configuration.seedsDirectory = nil
        configuration.redisURL = redis.url
        configuration.adminToken = testAdminSecret
        let app = try await buildApplication(configuration, metrics: AppMetrics(), logger: logger)
        let restarted = Mutex<RedisServerProcess?>(nil)
        do {
            try await app.test(.router) { http in
                let http = AuthorizedClient(base: http)
                #expect(try await http.execute(uri: "/api/up", method: .get).status == .ok)

                await redis.stop()
                // The client gives up after 0.5 s (connect and reply timeouts), so answers come within a second. On a
                // loaded CI machine scheduling adds to each measurement: the fastest must be under a second, and
                // none may come near a hang.
                var took: [Duration] = []
                for uri in ["/api/down", "/api/down", "/stats", "/stats?window=24h"] {
                    let started = ContinuousClock.now
                    let problem = try expectProblem(try await http.execute(uri: uri, method: .get), .serviceUnavailable)
                    took.append(ContinuousClock.now - started)
                    #expect((problem["detail"] as? String)?.contains("redis") == true)
                }
                #expect(took.min() ?? .seconds(99) < .seconds(1), "503s took \(took)")
                #expect(took.allSatisfy { $0 < .seconds(3) }, "503s took \(took)")
                let ready = try expectProblem(try await http.execute(uri: "/ready", method: .get), .serviceUnavailable)
                #expect((ready["detail"] as? String)?.contains("redis") == true)

                let again = try await RedisServerProcess.start(port: redis.port)
                restarted.withLock { $0 = again }
                var recovered = false
                let deadline = ContinuousClock.now + .seconds(10)
                while !recovered, ContinuousClock.now < deadline {
                    recovered = try await http.execute(uri: "/api/back", method: .get).status == .ok
                    if !recovered { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(recovered)
                #expect(try json(try await http.execute(uri: "/api/back", method: .get))["count"] as? Int == 2)
                #expect(try await http.execute(uri: "/ready", method: .get).status == .ok)
            }
        } catch {
            await redis.stop()
            await restarted.withLock { $0 }?.stop()
            throw error
        }
        await redis.stop()
        await restarted.withLock { $0 }?.stop()
    }
}
