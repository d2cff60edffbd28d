import Foundation
import Histogram

/// What a load run saw: answers by status, transport errors by kind, response latencies, elapsed time.
/// A success is a 2xx answer; every other status and every transport error is a failure.
public struct LoadReport: Sendable {
    /// Answers by HTTP status code.
    public private(set) var statuses: [Int: Int] = [:]
    /// Requests that got no answer, by kind (`connection refused`, `read timeout`, ...).
    public private(set) var transportErrors: [String: Int] = [:]
    /// Latency of every answer (any status) in microseconds, from sending the request to the end of the body.
    private(set) var latency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    /// Time from the first request's start to the last one's end.
    public var elapsed: Duration = .zero
    /// The open-loop rate the requests were due at, or `nil` for a closed loop.
    public var rate: Double?
    /// Open loop: requests sent more than ``lateAfter`` after they were due (every worker was busy).
    public private(set) var late = 0
    /// Open loop: the longest a request waited past its due time before it was sent.
    public private(set) var maxLag: Duration = .zero
    /// How far past its due time a request may be sent and still count as on schedule.
    public static let lateAfter: Duration = .milliseconds(1)

    /// An empty report.
    public init() {}

    /// Counts an answer with `status` after `latency`.
    public mutating func record(status: Int, latency: Duration) {
        statuses[status, default: 0] += 1
        _ = self.latency.record(Self.microseconds(latency))
    }

    /// Notes that an open-loop request was sent `lag` after it was due.
    public mutating func record(lag: Duration) {
        if lag > Self.lateAfter { late += 1 }
        if lag > maxLag { maxLag = lag }
    }

    /// Counts a request that failed without an answer.
    public mutating func record(transportError kind: String) {
        transportErrors[kind, default: 0] += 1
    }

    /// Requests finished, answered or not.
    public var requests: Int { statuses.values.reduce(0, +) + transportErrors.values.reduce(0, +) }
    /// 2xx answers.
    public var successes: Int { statuses.filter { (200..<300).contains($0.key) }.values.reduce(0, +) }
    /// Requests that were not successes.
    public var failures: Int { requests - successes }
    /// Answers that were not 2xx, by status.
    public var failuresByStatus: [Int: Int] { statuses.filter { !(200..<300).contains($0.key) } }
    /// Answers (of any status), the requests whose latency counts.
    public var answers: Int { Int(latency.totalCount) }
    /// Finished requests per second of elapsed time.
    public var requestsPerSecond: Double {
        let seconds = Self.secondsValue(elapsed)
        return seconds > 0 ? Double(requests) / seconds : 0
    }

    /// Latency percentiles and maximum in milliseconds, or `nil` when nothing was answered.
    public var latencyMilliseconds: LatencySummary? {
        guard latency.totalCount > 0 else { return nil }
        func ms(_ microseconds: UInt64) -> Double { Double(microseconds) / 1_000 }
        return LatencySummary(
            p50: ms(latency.valueAtPercentile(50)), p90: ms(latency.valueAtPercentile(90)), p99: ms(latency.valueAtPercentile(99)),
            p999: ms(latency.valueAtPercentile(99.9)), max: ms(latency.maxRecorded), mean: (latency.mean).rounded() / 1_000)
    }

    /// Latency figures in milliseconds (HdrHistogram, three significant digits).
    public struct LatencySummary: Sendable, Equatable, Encodable {
        /// Median.
        public let p50: Double
        /// 90th percentile.
        public let p90: Double
        /// 99th percentile.
        public let p99: Double
        /// 99.9th percentile.
        public let p999: Double
        /// Slowest answer.
        public let max: Double
        /// Mean.
        public let mean: Double
    }

    // MARK: Output

    /// The report for a person: counts, failures by status and kind, rate, latency.
    public func text() -> String {
        var lines = [
            "requests   \(Self.grouped(requests)) in \(Self.seconds(elapsed)) s (\(Self.tenths(requestsPerSecond)) req/s)",
            "successes  \(Self.grouped(successes))",
        ]
        let failed =
            failuresByStatus.sorted { $0.key < $1.key }.map { "\($0.key) x \(Self.grouped($0.value))" }
            + transportErrors.sorted { $0.key < $1.key }.map { "\($0.key) x \(Self.grouped($0.value))" }
        lines.append("failures   \(Self.grouped(failures))" + (failed.isEmpty ? "" : ": " + failed.joined(separator: ", ")))
        if let latency = latencyMilliseconds {
            lines.append(
                "latency ms p50 \(Self.fixed(latency.p50))  p90 \(Self.fixed(latency.p90))  p99 \(Self.fixed(latency.p99))  "
                    + "p99.9 \(Self.fixed(latency.p999))  max \(Self.fixed(latency.max))  (\(Self.grouped(answers)) answers)")
        } else {
            lines.append("latency ms no answers")
        }
        if let rate {
            lines.append(
                "schedule   open loop at \(Self.tenths(rate)) req/s, latency from each request's due time: "
                    + "\(Self.grouped(late)) of \(Self.grouped(requests)) sent late (> 1 ms), longest lag "
                    + "\(Self.fixed(Self.secondsValue(maxLag) * 1_000)) ms")
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object with sorted keys (`requests`, `successes`, `failures`, `status`, `errors`,
    /// `seconds`, `requests_per_second`, `latency_ms`), for scripts such as bench/bench.py.
    public func json(concurrency: Int) throws -> String {
        let document = Document(
            requests: requests, successes: successes, failures: failures,
            status: Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) }), errors: transportErrors,
            seconds: (Self.secondsValue(elapsed) * 1_000).rounded() / 1_000, requestsPerSecond: (requestsPerSecond * 10).rounded() / 10,
            latencyMs: latencyMilliseconds, concurrency: concurrency,
            openLoop: rate.map { OpenLoop(rate: $0, late: late, maxLagMs: (Self.secondsValue(maxLag) * 1e6).rounded() / 1_000) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    struct Document: Encodable {
        let requests: Int
        let successes: Int
        let failures: Int
        let status: [String: Int]
        let errors: [String: Int]
        let seconds: Double
        let requestsPerSecond: Double
        let latencyMs: LatencySummary?
        let concurrency: Int
        let openLoop: OpenLoop?

        enum CodingKeys: String, CodingKey {
            case requests, successes, failures, status, errors, seconds, concurrency
            case requestsPerSecond = "requests_per_second"
            case latencyMs = "latency_ms"
            case openLoop = "open_loop"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(requests, forKey: .requests)
            try container.encode(successes, forKey: .successes)
            try container.encode(failures, forKey: .failures)
            try container.encode(status, forKey: .status)
            try container.encode(errors, forKey: .errors)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(requestsPerSecond, forKey: .requestsPerSecond)
            // null rather than a missing key, so readers need not guess
            try container.encode(latencyMs, forKey: .latencyMs)
            try container.encode(concurrency, forKey: .concurrency)
            try container.encode(openLoop, forKey: .openLoop)
        }
    }

    /// The schedule of an open-loop run: its rate, the requests sent late and the longest lag.
    struct OpenLoop: Encodable {
        let rate: Double
        let late: Int
        let maxLagMs: Double

        enum CodingKeys: String, CodingKey {
            case rate, late
            case maxLagMs = "max_lag_ms"
        }
    }

    // MARK: Formatting

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }

    static func secondsValue(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Seconds with two decimals, e.g. `10.02`.
    static func seconds(_ duration: Duration) -> String { String(format: "%.2f", secondsValue(duration)) }

    /// A rate with one decimal and thousands separators, e.g. `2,309.4`.
    static func tenths(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(grouped(tenths / 10)).\(tenths % 10)"
    }

    /// Milliseconds with two decimals.
    static func fixed(_ value: Double) -> String { String(format: "%.2f", value) }

    /// An integer with thousands separators, e.g. `10,000`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
