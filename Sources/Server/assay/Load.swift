import ArgumentParser
import AssayLoad
import Foundation

/// `assay load`: a bounded HTTP load against any URL, with random ids or paths, and a report of counts by status,
/// transport errors by kind, rate and latency percentiles.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a bounded HTTP load to a URL template and report statuses, errors, rate and latency.",
        discussion: """
            The URL may hold placeholders, expanded for every request: {id} a random integer of --id-range A...B \
            (inclusive), {path} a random line of --paths FILE (used as is: percent-encode it yourself), {rand} a \
            random integer 0...2147483647, {seq} the request's number (1, 2, ...). Any other {name} is an error; \
            write a literal brace as %7B or %7D.

            A run needs --requests, --duration or both (it stops at whichever comes first); an unbounded run is \
            refused. Each of the --concurrency workers keeps one HTTP/1.1 connection and sends one request after \
            another. A success is a 2xx answer; redirects are not followed. Latency runs from sending a request to \
            the end of its answer's body, for answers of every status.

            With --rate R (open loop) request n is due at (n - 1) / R seconds whatever the answers: a free worker \
            sends it on time, and when all --concurrency workers wait for answers it goes out late. Latency then runs \
            from the time it was due, so a server that stalls shows the wait of every request it held up (no \
            coordinated omission); the report counts the requests sent late.

            Exits 0 after a run, 1 with --fail-on-error when any request failed, 64 on invalid options.
            """
    )

    @Argument(help: "URL or URL template, e.g. 'http://127.0.0.1:8000/products/{id}/analytics?days=30'.")
    var url: String

    @Option(help: "HTTP method.")
    var method = "GET"

    @Option(name: [.customShort("H"), .customLong("header")], help: "A header line 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "Request body sent as is with every request, or @FILE for a file's content (content-type defaults to JSON).")
    var body: String?

    @Option(help: "Bearer token (default: ASSAY_TOKEN; an Authorization header overrides the environment's).")
    var token: String?

    @Option(help: "Range {id} draws from, A...B.")
    var idRange: String?

    @Option(help: "File of paths {path} draws from, one a line ('#' lines ignored).")
    var paths: String?

    @Option(help: "Requests in flight at once, one connection each (1...10000).")
    var concurrency = 64

    @Option(help: "Requests to send.")
    var requests: Int?

    @Option(help: "Open loop: requests per second on a fixed schedule, latency from each one's due time.")
    var rate: Double?

    @Option(help: "How long to keep sending: seconds, or with ms, s, m, h (e.g. 10s, 2m).")
    var duration: String?

    @Option(help: "Longest wait for one answer; a slower request counts as a 'timeout' error.")
    var timeout = "10s"

    @Flag(help: "Accept any TLS certificate (a self-signed development certificate).")
    var insecure = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Flag(help: "Exit 1 when any request failed (non-2xx or no answer).")
    var failOnError = false

    func validate() throws {
        _ = try makePlan()
    }

    func run() async throws {
        let plan = try makePlan()
        try Self.ensureOpenFiles(plan.workers)
        if !json { print(plan.summary) }
        let report = try await LoadRunner.run(plan)
        print(json ? try report.json(concurrency: plan.concurrency) : report.text())
        if failOnError, report.failures > 0 { throw ExitCode(1) }
    }

    private func makePlan() throws -> LoadPlan {
        do {
            let environment = ProcessInfo.processInfo.environment
            return try LoadPlan(
                url: url,
                method: method,
                headers: try LoadPlan.headers(headers, token: token, environmentToken: environment["ASSAY_TOKEN"]),
                body: try body.map(Self.bodyBytes),
                ids: try idRange.map { (text) throws(LoadPlanError) in try LoadPlan.idRange(text) },
                paths: try paths.map(Self.pathLines) ?? [],
                concurrency: concurrency,
                requests: requests,
                duration: try duration.map { (text) throws(LoadPlanError) in try LoadPlan.duration(text, option: "--duration") },
                timeout: try LoadPlan.duration(timeout, option: "--timeout"),
                insecure: insecure,
                rate: rate)
        } catch let error as LoadPlanError {
            throw ValidationError(error.description)
        }
    }

    private static func bodyBytes(_ text: String) throws -> [UInt8] {
        guard text.hasPrefix("@") else { return Array(text.utf8) }
        let path = String(text.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--body: cannot read \(path)") }
        return Array(data)
    }

    private static func pathLines(_ file: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("--paths: cannot read \(file)") }
        let lines = LoadPlan.paths(fromFile: String(decoding: data, as: UTF8.self))
        guard !lines.isEmpty else { throw ValidationError("--paths: \(file) has no paths") }
        return lines
    }

    /// Each worker holds a socket: raises the soft open-file limit to fit when the hard limit allows, and refuses
    /// a run that cannot fit rather than failing its connections.
    private static func ensureOpenFiles(_ workers: Int) throws {
        let needed = rlim_t(workers + 64)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < needed else { return }
        guard limit.rlim_max >= needed else {
            throw ValidationError("--concurrency \(workers) needs about \(needed) open files; the hard limit is \(limit.rlim_max) (ulimit -Hn)")
        }
        limit.rlim_cur = needed
        guard setrlimit(resource, &limit) == 0 else {
            throw ValidationError("--concurrency \(workers) needs about \(needed) open files; raising the limit failed (ulimit -n)")
        }
    }

    #if os(Linux)
        private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        private static let resource = RLIMIT_NOFILE
    #endif
}
