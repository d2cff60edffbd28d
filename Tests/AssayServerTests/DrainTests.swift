import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import AssayServer

/// A service that runs until the graceful shutdown reaches it, and notes whether the drain had begun by then.
private final class StopWitness: Service, Sendable {
    let drain: ShutdownDrain
    let sawDrain = Mutex<Bool?>(nil)

    init(drain: ShutdownDrain) { self.drain = drain }

    func run() async throws {
        try? await gracefulShutdown()
        sawDrain.withLock { $0 = drain.isDraining }
    }
}

@Suite("Draining before a shutdown")
struct DrainTests {
    /// While draining, `/ready` is a 503 problem (a balancer stops sending here) and every answer closes its connection.
    @Test func readyIs503AndConnectionsCloseWhileDraining() async throws {
        var logger = Logger(label: "assay-test")
        logger.logLevel = .warning
        var configuration = AssayConfiguration()
        configuration.seedsDirectory = nil
        let drain = ShutdownDrain(seconds: 5)
        let app = try await buildApplication(
            configuration, adapters: try await testAdapters(), metrics: AppMetrics(), logger: logger, drain: drain)
        try await app.test(.router) { client in
            let before = try await client.execute(uri: "/ready", method: .get)
            #expect(before.status == .ok)
            #expect(before.headers[.connection] == nil)
            drain.begin()
            let ready = try await client.execute(uri: "/ready", method: .get)
            let problem = try expectProblem(ready, .serviceUnavailable)
            #expect((problem["detail"] as? String)?.contains("shutting down") == true)
            #expect(ready.headers[.connection] == "close")
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok && health.headers[.connection] == "close")
        }
    }

    /// In one group with the application, the drain reaches its end before the application is asked to stop.
    @Test func theDrainRunsBeforeTheApplicationStops() async throws {
        let drain = ShutdownDrain(seconds: 0.3)
        let witness = StopWitness(drain: drain)
        let group = ServiceGroup(configuration: .init(services: [witness, drain], logger: Logger(label: "assay-test")))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(50))
            #expect(!drain.isDraining)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(witness.sawDrain.withLock { $0 } == true)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    @Test func drainSecondsComeFromTheEnvironment() throws {
        #expect(try AssayConfiguration.resolve(environment: [:]).drainSeconds == 0)
        #expect(try AssayConfiguration.resolve(environment: ["ASSAY_DRAIN_SECONDS": "2.5"]).drainSeconds == 2.5)
        #expect(throws: AssayConfiguration.InvalidSetting.self) { try AssayConfiguration.resolve(environment: ["ASSAY_DRAIN_SECONDS": "-1"]) }
        #expect(throws: AssayConfiguration.InvalidSetting.self) { try AssayConfiguration.resolve(environment: ["ASSAY_DRAIN_SECONDS": "soon"]) }
    }

    /// `assay serve` with ASSAY_DRAIN_SECONDS: on SIGTERM `/ready` turns 503 at once while requests are still answered,
    /// and the process exits 0 after the drain.
    @Test func sigtermDrainsBeforeTheServerStops() async throws {
        let port = try freeLoopbackPort()
        var environment = ProcessInfo.processInfo.environment
        environment["ASSAY_ADMIN_TOKEN"] = testAdminSecret
        environment["ASSAY_DRAIN_SECONDS"] = "3"
        environment.removeValue(forKey: "ASSAY_POSTGRES_URL")
        environment.removeValue(forKey: "ASSAY_REDIS_URL")
        let server = try Subprocess(
            [try Subprocess.assayExecutable, "serve", "--port", "\(port)", "--seeds", "", "--log-level", "warning"], environment: environment)
        let base = "http://127.0.0.1:\(port)"
        func status(_ path: String) async throws -> String {
            try await Subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + path]).output
        }
        var ready = false
        let deadline = ContinuousClock.now + .seconds(30)
        while !ready, ContinuousClock.now < deadline {
            ready = try await status("/ready") == "200"
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(ready, "the server did not start")

        let signalled = ContinuousClock.now
        server.signal(SIGTERM)
        var draining = false
        while !draining, ContinuousClock.now - signalled < .seconds(2) {
            draining = try await status("/ready") == "503"
            if !draining { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(draining, "/ready did not turn 503 within 2 s of SIGTERM")
        #expect(try await status("/health") == "200", "requests are still answered while draining")
        let exit = try await server.finish(timeout: .seconds(30))
        #expect(exit.status == 0, "\(exit.output)")
        #expect(ContinuousClock.now - signalled >= .seconds(3), "the server stopped before its drain was over")
    }
}
