import Foundation
import Testing

/// A free loopback port (bound, then released).
func freeLoopbackPort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    try #require(bound, "cannot bind a loopback socket")
    return Int(UInt16(bigEndian: address.sin_port))
}

@Suite("Graceful shutdown")
struct ShutdownTests {
    /// SIGTERM while a request is running: the request still gets its full answer, then the process exits 0.
    @Test func sigtermDrainsTheRequestInFlight() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-drain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "user_id,name,email,signup_date\n1,A,a@lab.org,2024-01-01\n".write(toFile: directory + "/users.csv", atomically: true, encoding: .utf8)
        try "compound_id,compound_name,compound_structure\n1,X,H2O\n".write(toFile: directory + "/compounds.csv", atomically: true, encoding: .utf8)
        var experiments = "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n"
        for id in 1...400_000 {
            experiments += "\(id),1,1,\(id % 50)\n"
            if id % 20_000 == 0 { await Task.yield() }  // a long loop must not starve the other tests' tasks
        }
        try experiments.write(toFile: directory + "/user_experiments.csv", atomically: true, encoding: .utf8)

        let port = try freeLoopbackPort()
        var environment = ProcessInfo.processInfo.environment
        environment["ASSAY_ADMIN_TOKEN"] = testAdminSecret
        environment.removeValue(forKey: "ASSAY_POSTGRES_URL")
        let server = try Subprocess(
            [try Subprocess.assayExecutable, "serve", "--port", "\(port)", "--seeds", "", "--etl-data", directory, "--log-level", "warning"],
            environment: environment)
        let base = "http://127.0.0.1:\(port)"
        var healthy = false
        let deadline = ContinuousClock.now + .seconds(30)
        while !healthy, ContinuousClock.now < deadline {
            healthy = try await Subprocess.run(["curl", "-fs", "-o", "/dev/null", base + "/health"]).status == 0
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(healthy, "the server did not start")

        let auth = "Authorization: Bearer \(testAdminSecret)"
        let slow = try Subprocess(["curl", "-sS", "-X", "POST", "-H", auth, "-w", "\n%{http_code}", base + "/etl?wait=true"])
        // Wait until the run is really in progress on the server.
        var running = false
        while !running, ContinuousClock.now < deadline {
            running = try await Subprocess.run(["curl", "-fsS", "-H", auth, base + "/etl/runs?limit=1"]).output.contains("\"status\":\"running\"")
            if !running { try await Task.sleep(for: .milliseconds(20)) }
        }
        try #require(running, "the run never started")

        server.signal(SIGTERM)
        let answer = try await slow.finish(timeout: .seconds(60))
        #expect(answer.output.hasSuffix("\n200"), "\(answer.output.suffix(300))")
        #expect(answer.output.contains("\"status\":\"success\""))
        let exit = try await server.finish(timeout: .seconds(30))
        #expect(exit.status == 0, "\(exit.output)")
        // Drained means closed: new connections are refused.
        #expect(try await Subprocess.run(["curl", "-fs", "-o", "/dev/null", base + "/health"]).status != 0)
    }
}
