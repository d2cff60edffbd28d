import Foundation

/// Everything a load run needs, validated: what to request, how many at a time, and when to stop.
/// A plan always has a bound (a number of requests, a duration or both), so no run goes on forever.
public struct LoadPlan: Sendable {
    /// Most requests in flight at once.
    public static let concurrencyLimit = 10_000
    /// Most requests one run may make.
    public static let requestLimit = 1_000_000_000
    /// Longest run.
    public static let durationLimit: Duration = .seconds(24 * 3_600)
    /// Longest wait for one response.
    public static let timeoutLimit: Duration = .seconds(600)

    /// The URL template.
    public let template: LoadTemplate
    /// HTTP method, e.g. `GET`.
    public let method: String
    /// Header fields sent with every request, in order.
    public let headers: [(name: String, value: String)]
    /// Request body sent with every request, as is.
    public let body: [UInt8]?
    /// Where `{id}` draws from.
    public let ids: ClosedRange<Int>?
    /// Where `{path}` draws from.
    public let paths: [String]
    /// Requests in flight at once (one connection each).
    public let concurrency: Int
    /// Requests to make; with a duration, whichever ends first.
    public let requests: Int?
    /// How long to keep starting requests; with a request count, whichever ends first.
    public let duration: Duration?
    /// Longest wait for one response; a request that takes longer is a transport error.
    public let timeout: Duration
    /// Whether TLS certificates are accepted without verification (a self-signed development certificate).
    public let insecure: Bool
    /// Requests per second on a fixed schedule (open loop), or `nil` for a closed loop (each worker sends its next
    /// request when the last one is answered).
    public let rate: Double?
    /// Highest `rate`.
    public static let rateLimit = 1_000_000.0

    /// Validates the settings. Headers are `Name: value` lines; a body, when given, gets
    /// `content-type: application/json` unless a header names another content type.
    public init(
        url: String,
        method: String = "GET",
        headers: [String] = [],
        body: [UInt8]? = nil,
        ids: ClosedRange<Int>? = nil,
        paths: [String] = [],
        concurrency: Int = 64,
        requests: Int? = nil,
        duration: Duration? = nil,
        timeout: Duration = .seconds(10),
        insecure: Bool = false,
        rate: Double? = nil
    ) throws(LoadPlanError) {
        let template = try LoadTemplate(url)
        let used = template.placeholders
        guard ids == nil || used.contains(.id) else { throw LoadPlanError("--id-range is given but the URL has no {id}") }
        guard ids != nil || !used.contains(.id) else { throw LoadPlanError("the URL uses {id}: give --id-range, e.g. --id-range 1...10000") }
        guard paths.isEmpty || used.contains(.path) else { throw LoadPlanError("--paths is given but the URL has no {path}") }
        guard !paths.isEmpty || !used.contains(.path) else { throw LoadPlanError("the URL uses {path}: give --paths FILE with one path a line") }
        try Self.checkTarget(template.expand(LoadValues(id: ids?.lowerBound ?? 0, path: paths.first ?? "", rand: 0, seq: 1)))

        guard !method.isEmpty, method.unicodeScalars.allSatisfy(Self.isTokenCharacter) else {
            throw LoadPlanError("--method \(method) is not an HTTP method token")
        }
        let parsedHeaders = try headers.map { (line) throws(LoadPlanError) in try Self.header(line) }

        guard requests != nil || duration != nil else {
            throw LoadPlanError("an unbounded run is refused: give --requests N, --duration SECONDS or both")
        }
        if let requests, !(1...Self.requestLimit).contains(requests) {
            throw LoadPlanError("--requests must be between 1 and \(Self.requestLimit)")
        }
        if let duration, !(duration > .zero && duration <= Self.durationLimit) {
            throw LoadPlanError("--duration must be above 0 and at most 24 hours")
        }
        guard (1...Self.concurrencyLimit).contains(concurrency) else {
            throw LoadPlanError("--concurrency must be between 1 and \(Self.concurrencyLimit)")
        }
        guard timeout > .zero, timeout <= Self.timeoutLimit else { throw LoadPlanError("--timeout must be above 0 and at most 600 s") }
        if let rate, !(rate > 0 && rate <= Self.rateLimit) {
            throw LoadPlanError("--rate must be above 0 and at most \(Int(Self.rateLimit)) requests per second")
        }

        var allHeaders = parsedHeaders
        if body != nil, !parsedHeaders.contains(where: { $0.name.lowercased() == "content-type" }) {
            allHeaders.append((name: "content-type", value: "application/json"))
        }
        self.template = template
        self.method = method.uppercased()
        self.headers = allHeaders
        self.body = body
        self.ids = ids
        self.paths = paths
        self.concurrency = concurrency
        self.requests = requests
        self.duration = duration
        self.timeout = timeout
        self.insecure = insecure
        self.rate = rate
    }

    /// When request number `seq` (1 for the first) is due on an open-loop schedule that starts at `start`; `nil` in a
    /// closed loop.
    public func intendedStart(seq: Int, from start: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        rate.map { start + .nanoseconds(Int64((Double(seq - 1) / $0 * 1e9).rounded())) }
    }

    /// Workers the run starts: one per request when there are fewer requests than `concurrency`.
    public var workers: Int { min(concurrency, requests ?? concurrency) }

    /// The URL of request number `seq` (1 for the first), its random placeholders drawn from `generator`.
    public func url(seq: Int, using generator: inout some RandomNumberGenerator) -> String {
        var values = LoadValues(seq: seq)
        if let ids { values.id = Int.random(in: ids, using: &generator) }
        if let path = paths.randomElement(using: &generator) { values.path = path }
        values.rand = Int.random(in: 0...Int(Int32.max), using: &generator)
        return template.expand(values)
    }

    /// One line that says what the run does, e.g. `GET http://127.0.0.1:8000/health: 10,000 requests, 64 at a time`.
    public var summary: String {
        var parts: [String] = []
        if let ids { parts.append("{id} in \(ids.lowerBound)...\(ids.upperBound)") }
        if !paths.isEmpty { parts.append("{path} of \(LoadReport.grouped(paths.count)) paths") }
        if let requests { parts.append("\(LoadReport.grouped(requests)) requests") }
        if let duration { parts.append("at most \(LoadReport.seconds(duration)) s") }
        if let rate {
            parts.append("open loop at \(LoadReport.tenths(rate)) req/s over at most \(LoadReport.grouped(workers)) connections")
        } else {
            parts.append("\(LoadReport.grouped(workers)) at a time")
        }
        return "\(method) \(template): " + parts.joined(separator: ", ")
    }

    // MARK: Parsing the command line's words

    /// `A...B` (inclusive, A ≤ B), e.g. `1...10000`.
    public static func idRange(_ text: String) throws(LoadPlanError) -> ClosedRange<Int> {
        let bounds = text.split(separator: "...", omittingEmptySubsequences: false)
        guard bounds.count == 2, let lower = Int(bounds[0].trimmingCharacters(in: .whitespaces)),
            let upper = Int(bounds[1].trimmingCharacters(in: .whitespaces))
        else { throw LoadPlanError("--id-range \(text) is not A...B, e.g. 1...10000") }
        guard lower <= upper else { throw LoadPlanError("--id-range \(text): the lower bound is above the upper one") }
        return lower...upper
    }

    /// A duration: a number of seconds (`10`, `2.5`) or a number with `ms`, `s`, `m` or `h` (`500ms`, `2m`).
    public static func duration(_ text: String, option: String) throws(LoadPlanError) -> Duration {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let unit = units.first { trimmed.hasSuffix($0.suffix) && Double(trimmed.dropLast($0.suffix.count)) != nil }
        let number = Double(unit.map { String(trimmed.dropLast($0.suffix.count)) } ?? trimmed)
        guard let number, number.isFinite, number > 0, number * (unit?.seconds ?? 1) <= 86_400 else {
            throw LoadPlanError("\(option) \(text) is not a positive duration of at most 24 h (e.g. 10, 10s, 500ms, 2m)")
        }
        return .milliseconds(Int64((number * (unit?.seconds ?? 1) * 1_000).rounded()))
    }

    /// The non-empty lines of a paths file, trimmed; `#` starts a comment line.
    public static func paths(fromFile text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The header lines for a bearer token: an explicit `--token` conflicts with an `Authorization` header; the
    /// environment's token is a default that such a header overrides.
    public static func headers(_ headers: [String], token: String?, environmentToken: String?) throws(LoadPlanError) -> [String] {
        let hasAuthorization = headers.contains {
            $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces).lowercased() == "authorization"
        }
        if let token {
            guard !hasAuthorization else { throw LoadPlanError("--token and an Authorization header are both given") }
            return headers + ["Authorization: Bearer \(token)"]
        }
        if let environmentToken, !environmentToken.isEmpty, !hasAuthorization {
            return headers + ["Authorization: Bearer \(environmentToken)"]
        }
        return headers
    }

    static func header(_ line: String) throws(LoadPlanError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: ":") else { throw LoadPlanError("--header \(line) is not 'Name: value'") }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(isTokenCharacter) else {
            throw LoadPlanError("--header \(line): '\(name)' is not a header name")
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) else {
            throw LoadPlanError("--header \(name): the value has control characters")
        }
        return (name, value)
    }

    /// An HTTP token character (RFC 9110 `tchar`): method and header names.
    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
    }

    /// The template must name an http or https URL with a host, so one connection pool serves the run.
    static func checkTarget(_ example: String) throws(LoadPlanError) {
        guard let url = URL(string: example), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { throw LoadPlanError("the URL \(example) is not an http:// or https:// URL with a host") }
    }
}
