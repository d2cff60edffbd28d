import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Runs a ``LoadPlan``: a task group of `workers` tasks, each sending one request after another over its own
/// kept-alive connection until the plan's bound is reached, all recording into one report. `http://` URLs with a
/// fixed origin are driven from the event loops over a ``PlainHTTPConnection`` per worker instead (``PlainLoadRun``:
/// a fraction of the CPU per request, which matters when the generator shares the machine with the server it
/// measures); `https://` goes through async-http-client, a task per worker.
///
/// With a rate (open loop), request number n is due at `start + (n - 1) / rate` whatever the answers: a free worker
/// takes the next number, waits for its time and sends it. When every worker is still waiting for an answer the
/// request goes out late, and its latency still runs from the time it was due (coordinated omission corrected, as
/// wrk2 and HdrHistogram do): a server that stalls for a second shows a second of latency on every request that fell
/// due meanwhile, not on one.
public enum LoadRunner {
    /// Workers that share one client. async-http-client's pool scans its connections on every lease and release,
    /// so one pool of 1,000 connections spends more time in those scans than on the wire; pools of this size do not.
    static let workersPerClient = 64

    /// Runs the plan to its bound and returns what it saw; requests in flight when a duration ends finish first
    /// (each within the plan's timeout). Request failures are counted, never thrown.
    public static func run(_ plan: LoadPlan) async throws -> LoadReport {
        if let target = PlainHTTPConnection.Target(template: plan.template) {
            return await PlainLoadRun.run(plan, target: target)
        }
        let clientCount = (plan.workers + workersPerClient - 1) / workersPerClient
        let perClient = (plan.workers + clientCount - 1) / clientCount
        let clients = (0..<clientCount).map { _ in
            HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration(for: plan, connections: perClient))
        }
        let report = await drive(plan, clients: clients)
        // Every client is shut down even when one fails to.
        var failure: (any Error)?
        for client in clients {
            do { try await client.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        return report
    }

    /// The client: a connection per worker (HTTP/1.1, so concurrency means connections, as with wrk), redirects
    /// answered rather than followed, certificates verified unless the plan is insecure.
    static func configuration(for plan: LoadPlan, connections: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let timeout = timeAmount(plan.timeout)
        configuration.timeout = .init(connect: min(timeout, .seconds(10)), read: timeout)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if plan.insecure { tls.certificateVerification = .none }
        configuration.tlsConfiguration = tls
        return configuration
    }

    private static func drive(_ plan: LoadPlan, clients: [HTTPClient]) async -> LoadReport {
        let started = ContinuousClock.now
        let run = RunState(plan: plan, start: started)
        let body = plan.body.map { ByteBuffer(bytes: $0) }
        let timeout = timeAmount(plan.timeout)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<plan.workers {
                let client = clients[worker % clients.count]
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    while let (seq, due) = await run.next() {
                        var request = HTTPClientRequest(url: plan.url(seq: seq, using: &generator))
                        request.method = HTTPMethod(rawValue: plan.method)
                        for header in plan.headers { request.headers.add(name: header.name, value: header.value) }
                        if let body { request.body = .bytes(body) }
                        let now = ContinuousClock.now
                        if let due { run.record { $0.record(lag: now - due) } }
                        let sent = due ?? now
                        do {
                            let response = try await client.execute(request, timeout: timeout)
                            for try await _ in response.body {}
                            let latency = ContinuousClock.now - sent
                            run.record { $0.record(status: Int(response.status.code), latency: latency) }
                        } catch {
                            let kind = errorKind(error)
                            run.record { $0.record(transportError: kind) }
                        }
                    }
                }
            }
        }
        return run.record { report in
            report.elapsed = ContinuousClock.now - started
            report.rate = plan.rate
            return report
        }
    }

    /// A short, stable name for why a request got no answer, for counting failures by kind.
    static func errorKind(_ error: any Error) -> String {
        switch error {
        case let error as PlainHTTPConnection.Failure:
            switch error {
            case .timeout: "read timeout"
            case .closed: "connection closed"
            }
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: "connect timeout"
            case .readTimeout: "read timeout"
            case .deadlineExceeded: "timeout"
            case .remoteConnectionClosed: "connection closed"
            case .tlsHandshakeTimeout: "TLS handshake timeout"
            case .cancelled: "cancelled"
            case .invalidURL, .emptyHost, .emptyScheme: "invalid URL"
            default: "HTTP client: \(error)"
            }
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: "connection refused"
            case ECONNRESET: "connection reset"
            case EPIPE: "broken pipe"
            case EMFILE, ENFILE: "too many open files"
            case EADDRNOTAVAIL: "no local port"
            default: "I/O error \(error.errnoCode)"
            }
        case let error as NIOConnectionError:
            error.connectionErrors.first.map { errorKind($0.error) } ?? "connect failed"
        case is NIOSSLError, is BoringSSLError: "TLS"
        case ChannelError.connectTimeout: "connect timeout"
        case is CancellationError: "cancelled"
        default: String(describing: type(of: error))
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// What the workers share: the next request number (1, 2, ...), handed out until the request count is reached,
/// the deadline passes or the run is cancelled, and the report they record into.
final class RunState: Sendable {
    private let issued = Mutex(0)
    private let report = Mutex(LoadReport())
    private let plan: LoadPlan
    private let start: ContinuousClock.Instant
    private let deadline: ContinuousClock.Instant?

    init(plan: LoadPlan, start: ContinuousClock.Instant) {
        self.plan = plan
        self.start = start
        self.deadline = plan.duration.map { start + $0 }
    }

    /// The next request's number and, on an open-loop schedule, the time it was due (already waited for), or `nil`
    /// when the run is over.
    func next() async -> (seq: Int, due: ContinuousClock.Instant?)? {
        if Task.isCancelled { return nil }
        if let deadline, ContinuousClock.now >= deadline { return nil }
        let (plan, start, deadline) = (self.plan, self.start, self.deadline)
        let next: (Int, ContinuousClock.Instant?)? = issued.withLock { issued in
            if let limit = plan.requests, issued >= limit { return nil }
            let due = plan.intendedStart(seq: issued + 1, from: start)
            if let due, let deadline, due >= deadline { return nil }
            issued += 1
            return (issued, due)
        }
        guard let (seq, due) = next else { return nil }
        if let due, due > .now {
            do { try await Task.sleep(until: due, clock: .continuous) } catch { return nil }
        }
        return (seq, due)
    }

    /// Updates the report under its lock.
    func record<Result: Sendable>(_ update: (inout LoadReport) -> Result) -> Result {
        report.withLock { update(&$0) }
    }
}
