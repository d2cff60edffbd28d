import AssayDomain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import AssayLoad
@testable import AssayServer

@Suite("Load tool")
struct LoadToolTests {
    // MARK: Templates

    @Test func templateExpandsEveryPlaceholderAndKeepsLiterals() throws {
        let template = try LoadTemplate("http://127.0.0.1:8000/products/{id}/analytics?days=30&r={rand}&n={seq}{path}&again={id}")
        #expect(template.placeholders == [.id, .rand, .seq, .path])
        let url = template.expand(LoadValues(id: 42, path: "/x/y", rand: 7, seq: 3))
        #expect(url == "http://127.0.0.1:8000/products/42/analytics?days=30&r=7&n=3/x/y&again=42")
        #expect(try LoadTemplate("http://localhost/health").expand(LoadValues()) == "http://localhost/health")
        #expect(try LoadTemplate("http://localhost/health").placeholders.isEmpty)
    }

    @Test func templateRejectsUnknownPlaceholdersAndUnmatchedBraces() throws {
        for bad in ["http://h/{ID}", "http://h/{}", "http://h/{id", "http://h/id}", "http://h/{id{seq}}", "http://h/{user}"] {
            #expect(throws: LoadPlanError.self, "\(bad)") { try LoadTemplate(bad) }
        }
        let message = "unknown placeholder {user} in the URL template (known: {id}, {path}, {rand}, {seq}; write a literal brace as %7B or %7D)"
        #expect(throws: LoadPlanError(message)) { try LoadTemplate("http://h/{user}") }
        // Percent-encoded braces are ordinary characters.
        #expect(try LoadTemplate("http://h/%7Bid%7D").placeholders.isEmpty)
    }

    // MARK: Plans

    @Test func unboundedRunsAreRefused() throws {
        #expect(throws: LoadPlanError("an unbounded run is refused: give --requests N, --duration SECONDS or both")) {
            try LoadPlan(url: "http://127.0.0.1:1/health")
        }
        #expect(try LoadPlan(url: "http://127.0.0.1:1/health", requests: 1).requests == 1)
        #expect(try LoadPlan(url: "http://127.0.0.1:1/health", duration: .seconds(1)).duration == .seconds(1))
        let both = try LoadPlan(url: "http://127.0.0.1:1/health", concurrency: 64, requests: 10, duration: .seconds(1))
        #expect(both.workers == 10)
    }

    @Test func boundsAndOptionsAreValidated() {
        let url = "http://127.0.0.1:1/health"
        let bad: [() throws -> LoadPlan] = [
            { try LoadPlan(url: url, requests: 0) },
            { try LoadPlan(url: url, requests: LoadPlan.requestLimit + 1) },
            { try LoadPlan(url: url, duration: .zero) },
            { try LoadPlan(url: url, duration: .seconds(86_401)) },
            { try LoadPlan(url: url, concurrency: 0, requests: 1) },
            { try LoadPlan(url: url, concurrency: 10_001, requests: 1) },
            { try LoadPlan(url: url, requests: 1, timeout: .zero) },
            { try LoadPlan(url: url, method: "GE T", requests: 1) },
            { try LoadPlan(url: url, headers: ["no colon"], requests: 1) },
            { try LoadPlan(url: url, headers: [": empty name"], requests: 1) },
            { try LoadPlan(url: url, headers: ["X-A: line\nbreak"], requests: 1) },
            { try LoadPlan(url: "ftp://127.0.0.1/x", requests: 1) },
            { try LoadPlan(url: "127.0.0.1:8000/health", requests: 1) },
            { try LoadPlan(url: "http:///health", requests: 1) },
            // {id} and --id-range, {path} and --paths come together
            { try LoadPlan(url: "http://h/products/{id}", requests: 1) },
            { try LoadPlan(url: url, ids: 1...10, requests: 1) },
            { try LoadPlan(url: "http://h{path}", requests: 1) },
            { try LoadPlan(url: url, paths: ["/a"], requests: 1) },
        ]
        for (index, make) in bad.enumerated() {
            #expect(throws: LoadPlanError.self, "case \(index)") { try make() }
        }
    }

    @Test func commandLineWordsParse() throws {
        #expect(try LoadPlan.idRange("1...10000") == 1...10_000)
        #expect(try LoadPlan.idRange("-5...5") == -5...5)
        #expect(try LoadPlan.idRange("7...7") == 7...7)
        for bad in ["10...1", "1-10", "1..<10", "a...b", "1...", "...5", "1...2...3"] {
            #expect(throws: LoadPlanError.self, "\(bad)") { try LoadPlan.idRange(bad) }
        }
        #expect(try LoadPlan.duration("10", option: "--duration") == .seconds(10))
        #expect(try LoadPlan.duration("2.5", option: "--duration") == .milliseconds(2_500))
        #expect(try LoadPlan.duration("10s", option: "--duration") == .seconds(10))
        #expect(try LoadPlan.duration("500ms", option: "--duration") == .milliseconds(500))
        #expect(try LoadPlan.duration("2m", option: "--duration") == .seconds(120))
        #expect(try LoadPlan.duration("1h", option: "--duration") == .seconds(3_600))
        for bad in ["0", "-1", "", "ten", "10x", "25h", "inf", "nan", "s"] {
            #expect(throws: LoadPlanError.self, "\(bad)") { try LoadPlan.duration(bad, option: "--duration") }
        }
        #expect(LoadPlan.paths(fromFile: "/a\n\n  /b  \n# comment\r\n/c") == ["/a", "/b", "/c"])
    }

    @Test func tokenBecomesABearerHeaderUnlessAnAuthorizationHeaderIsGiven() throws {
        #expect(try LoadPlan.headers([], token: "t1", environmentToken: "env") == ["Authorization: Bearer t1"])
        #expect(try LoadPlan.headers(["X-A: 1"], token: nil, environmentToken: "env") == ["X-A: 1", "Authorization: Bearer env"])
        #expect(try LoadPlan.headers(["authorization: Basic x"], token: nil, environmentToken: "env") == ["authorization: Basic x"])
        #expect(try LoadPlan.headers([], token: nil, environmentToken: nil) == [])
        #expect(try LoadPlan.headers([], token: nil, environmentToken: "") == [])
        #expect(throws: LoadPlanError.self) { try LoadPlan.headers(["Authorization: Bearer a"], token: "b", environmentToken: nil) }
    }

    @Test func aBodyDefaultsToJSONUnlessAContentTypeIsGiven() throws {
        let json = try LoadPlan(url: "http://h/x", method: "post", body: Array("{}".utf8), requests: 1)
        #expect(json.method == "POST")
        #expect(json.headers.map { "\($0.name): \($0.value)" } == ["content-type: application/json"])
        let text = try LoadPlan(url: "http://h/x", method: "POST", headers: ["Content-Type: text/plain"], body: Array("hi".utf8), requests: 1)
        #expect(text.headers.map { "\($0.name): \($0.value)" } == ["Content-Type: text/plain"])
        #expect(try LoadPlan(url: "http://h/x", requests: 1).headers.isEmpty)
    }

    @Test func randomValuesStayInTheirRanges() throws {
        let plan = try LoadPlan(url: "http://h/{id}/{rand}{path}?n={seq}", ids: 3...5, paths: ["/a", "/b"], requests: 1)
        var generator = SplitMix64(seed: 1)
        var ids = Set<Int>()
        var paths = Set<String>()
        for seq in 1...500 {
            let url = plan.url(seq: seq, using: &generator)
            let parts = url.dropFirst("http://h/".count).split(separator: "/")
            let id = try #require(Int(parts[0]))
            let rand = try #require(Int(parts[1]))
            #expect((3...5).contains(id) && (0...Int(Int32.max)).contains(rand), "\(url)")
            #expect(url.hasSuffix("?n=\(seq)"))
            ids.insert(id)
            paths.insert(String(parts[2].prefix { $0 != "?" }))
        }
        #expect(ids == [3, 4, 5])
        #expect(paths == ["a", "b"])
    }

    // MARK: Reports

    @Test func reportCountsSuccessesFailuresByStatusAndErrorsByKind() throws {
        var report = LoadReport()
        for _ in 1...100 { report.record(status: 200, latency: .milliseconds(5)) }
        report.record(status: 204, latency: .milliseconds(1))
        report.record(status: 404, latency: .milliseconds(2))
        report.record(status: 404, latency: .milliseconds(2))
        report.record(status: 503, latency: .milliseconds(300))
        report.record(transportError: "connection refused")
        report.elapsed = .seconds(2)
        #expect(report.requests == 105 && report.successes == 101 && report.failures == 4 && report.answers == 104)
        #expect(report.failuresByStatus == [404: 2, 503: 1])
        #expect(report.transportErrors == ["connection refused": 1])
        #expect(report.requestsPerSecond == 52.5)

        let text = report.text()
        #expect(text.contains("requests   105 in 2.00 s (52.5 req/s)"), "\(text)")
        #expect(text.contains("successes  101"), "\(text)")
        #expect(text.contains("failures   4: 404 x 2, 503 x 1, connection refused x 1"), "\(text)")
        #expect(text.contains("(104 answers)"), "\(text)")

        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json(concurrency: 8).utf8)) as? [String: Any])
        #expect(object["requests"] as? Int == 105 && object["successes"] as? Int == 101 && object["failures"] as? Int == 4)
        #expect(object["status"] as? [String: Int] == ["200": 100, "204": 1, "404": 2, "503": 1])
        #expect(object["errors"] as? [String: Int] == ["connection refused": 1])
        #expect(object["concurrency"] as? Int == 8 && object["requests_per_second"] as? Double == 52.5 && object["seconds"] as? Double == 2)
        let max = try #require((object["latency_ms"] as? [String: Any])?["max"] as? Double)
        #expect(abs(max - 300) < 0.5)
    }

    @Test func latencyPercentilesComeFromTheHistogram() throws {
        var report = LoadReport()
        for millisecond in (1...1_000).shuffled() { report.record(status: 200, latency: .microseconds(millisecond * 100)) }
        let latency = try #require(report.latencyMilliseconds)
        // HdrHistogram with three significant digits: within 0.1 %
        for (value, expected) in [(latency.p50, 50.0), (latency.p90, 90), (latency.p99, 99), (latency.max, 100)] {
            #expect(abs(value - expected) <= expected / 1_000, "\(latency)")
        }
        #expect(abs(latency.mean - 50.05) < 0.1, "\(latency)")
        #expect(report.text().contains("p50 50.0"), "\(report.text())")
    }

    @Test func anEmptyReportHasNoLatency() throws {
        let report = LoadReport()
        #expect(report.requests == 0 && report.failures == 0 && report.requestsPerSecond == 0 && report.latencyMilliseconds == nil)
        #expect(report.text().contains("latency ms no answers"))
        #expect(try report.json(concurrency: 1).contains(#""latency_ms":null"#))
    }

    // MARK: Real runs

    /// A real socket: products 1...5 exist, so `{seq}` over 8 requests gives exactly five 200s and three 404s.
    @Test func aRunCountsAnswersByStatusOverARealSocket() async throws {
        let app = try await buildApplication(liveConfiguration())
        try await app.test(.live) { client in
            let client = AuthorizedClient(base: client)
            for index in 1...5 { _ = try await client.createProduct("p\(index)") }
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let auth = "Authorization: Bearer \(testAdminSecret)"

            let exact = try await LoadRunner.run(try LoadPlan(url: base + "/products/{seq}", headers: [auth], concurrency: 3, requests: 8))
            #expect(exact.statuses == [200: 5, 404: 3], "\(exact.text())")
            #expect(exact.requests == 8 && exact.successes == 5 && exact.failures == 3 && exact.transportErrors.isEmpty)

            let random = try await LoadRunner.run(
                try LoadPlan(url: base + "/products/{id}/analytics?days=30", headers: [auth], ids: 1...10, concurrency: 16, requests: 400))
            #expect(random.requests == 400 && random.answers == 400, "\(random.text())")
            #expect(Set(random.statuses.keys) == [200, 404], "\(random.text())")
            #expect(random.successes + (random.statuses[404] ?? 0) == 400)

            let unauthorized = try await LoadRunner.run(try LoadPlan(url: base + "/products/1", concurrency: 2, requests: 4))
            #expect(unauthorized.statuses == [401: 4])

            // A POST with a body: views recorded through the API show in the analytics.
            let posts = try await LoadRunner.run(
                try LoadPlan(url: base + "/products/2/views", method: "POST", headers: [auth], body: Array(#"{"user_id":7}"#.utf8), requests: 6))
            #expect(posts.statuses == [201: 6], "\(posts.text())")
            let analytics = try json(try await client.execute(uri: "/products/2/analytics?days=1", method: .get))
            #expect(analytics["views"] as? Int == 6 && analytics["unique_viewers"] as? Int == 1)

            let timed = try await LoadRunner.run(try LoadPlan(url: base + "/health", concurrency: 4, duration: .milliseconds(300)))
            #expect(timed.requests > 0 && timed.failures == 0, "\(timed.text())")
            #expect(timed.elapsed >= .milliseconds(300) && timed.elapsed < .seconds(10))
        }
    }

    /// `http://` templates go over the load tool's own connection when scheme, host and port are fixed; anything
    /// else (https, a placeholder in the host or port) keeps async-http-client.
    @Test func plainConnectionsServeFixedHTTPOrigins() throws {
        func target(_ url: String) throws -> PlainHTTPConnection.Target? { PlainHTTPConnection.Target(template: try LoadTemplate(url)) }
        let local = try #require(try target("http://127.0.0.1:8080{path}"))
        #expect(local.host == "127.0.0.1" && local.port == 8080 && local.origin == "http://127.0.0.1:8080")
        let v6 = try #require(try target("http://[::1]:9000/genes/{id}?x={rand}"))
        #expect(v6.host == "::1" && v6.port == 9000 && v6.origin == "http://[::1]:9000")
        #expect(try target("HTTP://example.org/health").map { [$0.host, String($0.port)] } == ["example.org", "80"])
        for other in [
            "https://127.0.0.1:8443/health", "http://api{id}.example.org/x", "http://127.0.0.1:{id}/x", "http://h:8080{seq}/x",
            "http://user:pw@h/x", "http://h:99999/x", "http:///x",
        ] {
            #expect(try target(other) == nil, "\(other)")
        }
        #expect(PlainHTTPConnection.requestTarget(of: "http://h:1/a/b?c=d#frag", origin: "http://h:1") == "/a/b?c=d")
        #expect(PlainHTTPConnection.requestTarget(of: "http://h:1", origin: "http://h:1") == "/")
        #expect(PlainHTTPConnection.requestTarget(of: "http://h:1?q=1", origin: "http://h:1") == "/?q=1")
    }

    /// A request that outlives the timeout is a "read timeout" and its connection is replaced: the requests after it
    /// are answered. A client that asks to close after every answer gets each one on a new connection.
    @Test func timeoutsAndClosedConnectionsAreReplaced() async throws {
        let calls = Mutex(0)
        let router = Router()
        router.get("/slow-once") { _, _ -> HTTPResponse.Status in
            let first = calls.withLock { count in
                count += 1
                return count == 1
            }
            if first { try? await Task.sleep(for: .seconds(6)) }
            return .ok
        }
        router.get("/fast") { _, _ -> HTTPResponse.Status in .ok }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            // The timeout leaves room for a loaded machine (the whole suite runs in parallel); the stall outlasts it.
            let slow = try await LoadRunner.run(try LoadPlan(url: base + "/slow-once", concurrency: 1, requests: 4, timeout: .seconds(2)))
            #expect(slow.transportErrors == ["read timeout": 1] && slow.statuses == [200: 3], "\(slow.text())")
            let closing = try await LoadRunner.run(try LoadPlan(url: base + "/fast", headers: ["Connection: close"], concurrency: 2, requests: 20))
            #expect(closing.statuses == [200: 20] && closing.transportErrors.isEmpty, "\(closing.text())")
        }
    }

    /// Cancelling a run (Ctrl-C in the command) stops it taking requests; the ones in flight finish and the report
    /// comes back at once, open loop or closed.
    @Test func aCancelledRunReportsWhatItSent() async throws {
        let hits = Mutex(0)
        let router = Router()
        router.get("/fast") { _, _ -> HTTPResponse.Status in
            hits.withLock { $0 += 1 }
            return .ok
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))/fast"
            for rate in [nil, 200.0] {
                hits.withLock { $0 = 0 }
                let run = Task { try await LoadRunner.run(try LoadPlan(url: url, concurrency: 4, duration: .seconds(60), rate: rate)) }
                // Cancel once the server has seen the run going (however slow the machine), long before its 60 s.
                let waited = ContinuousClock.now
                while hits.withLock({ $0 }) < 10, ContinuousClock.now - waited < .seconds(30) { try await Task.sleep(for: .milliseconds(20)) }
                let cancelled = ContinuousClock.now
                run.cancel()
                let report = try await run.value
                #expect(ContinuousClock.now - cancelled < .seconds(5), "\(report.text())")
                #expect(report.requests >= 6 && report.failures == 0 && report.elapsed < .seconds(40), "\(report.text())")
            }
        }
    }

    /// A server that freezes for one second, measured both ways over one connection (issue 18). The closed loop sends
    /// nothing while it waits, so the freeze is one slow answer among hundreds; the open loop keeps its schedule, and
    /// the ~100 requests that fell due during the freeze each wait for it, counted late, their latency from their due
    /// time.
    @Test func anOpenLoopShowsAStallThatAClosedLoopHides() async throws {
        let stall = StallOnce(after: .milliseconds(800), for: .seconds(1))
        let router = Router()
        router.get("/work") { _, _ -> HTTPResponse.Status in
            await stall.pass()
            return .ok
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))/work"
            let closed = try await LoadRunner.run(try LoadPlan(url: url, concurrency: 1, duration: .seconds(3)))
            stall.reset()
            let open = try await LoadRunner.run(try LoadPlan(url: url, concurrency: 1, duration: .seconds(3), rate: 100))
            #expect(closed.failures == 0 && open.failures == 0, "\(closed.text())\n\(open.text())")
            let closedLatency = try #require(closed.latencyMilliseconds)
            let openLatency = try #require(open.latencyMilliseconds)
            // Both saw the one-second freeze ...
            #expect(closedLatency.max > 900 && openLatency.max > 900, "\(closed.text())\n\(open.text())")
            // ... but only the open loop reports what it did to the requests behind it.
            #expect(closedLatency.p90 < 100, "\(closed.text())")
            #expect(openLatency.p90 > 300, "\(open.text())")
            #expect((250...300).contains(open.requests), "\(open.text())")
            #expect(open.late >= 80 && open.maxLag > .milliseconds(800), "\(open.text())")
            #expect(closed.rate == nil && closed.late == 0)
            #expect(open.text().contains("open loop at 100.0 req/s"))
            let document = try JSONSerialization.jsonObject(with: Data(try open.json(concurrency: 1).utf8)) as? [String: Any]
            #expect((document?["open_loop"] as? [String: Any])?["late"] as? Int == open.late)
        }
    }

    @Test func aRefusedConnectionIsATransportErrorNotACrash() async throws {
        // Port 1 on loopback has no listener here.
        let report = try await LoadRunner.run(try LoadPlan(url: "http://127.0.0.1:1/health", concurrency: 2, requests: 3, timeout: .seconds(1)))
        #expect(report.requests == 3 && report.failures == 3 && report.answers == 0 && report.statuses.isEmpty, "\(report.text())")
        #expect(report.transportErrors == ["connection refused": 3], "\(report.transportErrors)")
    }

    /// The command: JSON output, exit 1 with --fail-on-error when a request failed, 64 for an unbounded run.
    @Test func theCommandReportsJSONAndExitCodes() async throws {
        let executable = try Subprocess.assayExecutable
        let app = try await buildApplication(liveConfiguration())
        try await app.test(.live) { client in
            let client = AuthorizedClient(base: client)
            _ = try await client.createProduct("only")
            let url = "http://127.0.0.1:\(try #require(client.port))/products/{seq}"
            let arguments = [executable, "load", url, "--token", testAdminSecret, "--requests", "3", "--concurrency", "2", "--json"]

            let plain = try await Subprocess.run(arguments, timeout: .seconds(60))
            #expect(plain.status == 0, "\(plain.output)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(plain.output.utf8)) as? [String: Any], "\(plain.output)")
            #expect(object["requests"] as? Int == 3 && object["successes"] as? Int == 1 && object["failures"] as? Int == 2)
            #expect(object["status"] as? [String: Int] == ["200": 1, "404": 2])

            let failing = try await Subprocess.run(arguments + ["--fail-on-error"], timeout: .seconds(60))
            #expect(failing.status == 1, "\(failing.output)")

            let unbounded = try await Subprocess.run([executable, "load", url], timeout: .seconds(60))
            #expect(unbounded.status == 64 && unbounded.output.contains("unbounded run is refused"), "\(unbounded.output)")
        }
    }
}

/// A server's freeze, for the open-loop test: the first request at least `after` past the start (or the last reset)
/// and every request that arrives during the next `duration` wait until the freeze ends.
private final class StallOnce: Sendable {
    private let state: Mutex<(start: ContinuousClock.Instant, until: ContinuousClock.Instant?)>
    private let after: Duration
    private let duration: Duration

    init(after: Duration, for duration: Duration) {
        self.after = after
        self.duration = duration
        self.state = Mutex((start: .now, until: nil))
    }

    func reset() {
        state.withLock { $0 = (start: .now, until: nil) }
    }

    func pass() async {
        let (after, duration) = (self.after, self.duration)
        let until: ContinuousClock.Instant? = state.withLock { state in
            let now = ContinuousClock.now
            if state.until == nil, now - state.start >= after { state.until = now + duration }
            return state.until.flatMap { $0 > now ? $0 : nil }
        }
        if let until { try? await Task.sleep(until: until, clock: .continuous) }
    }
}
