import AssayDomain
import Logging
import PostgresNIO
import Synchronization

/// Database calls of this process's Postgres adapters, for metrics.
public enum PostgresActivity {
    static let inFlight = Atomic<Int>(0)

    /// Calls running or waiting for a pooled connection right now (an abandoned call counts until it ends).
    public static var callsInFlight: Int { inFlight.load(ordering: .relaxed) }
}

/// Runs a database call with a deadline, and turns "cannot reach the database" into ``UnavailableError``.
///
/// postgres-nio queues requests while it retries connecting (for up to a minute), and a query on a connection
/// whose server went away may not notice cancellation; a request must not hang that long. After `timeout` the
/// caller gets a clear "unavailable" error, and the operation is cancelled and left to end on its own. (A task
/// group cannot do this: leaving the group waits for every child, including one that ignores cancellation.)
func withDatabase<Result: Sendable>(timeout: Duration, _ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let counted: @Sendable () async throws -> Result = {
        PostgresActivity.inFlight.add(1, ordering: .relaxed)
        defer { PostgresActivity.inFlight.subtract(1, ordering: .relaxed) }
        return try await operation()
    }
    do {
        return try await firstOf(counted, orAfter: timeout) {
            UnavailableError(dependency: "postgres", reason: "no answer within \(timeout)")
        }
    } catch let error as PSQLError where error.isConnectionFailure {
        throw UnavailableError(dependency: "postgres", reason: "connection failed (\(error.code))")
    }
}

/// Runs `body` with the adapter's client and logger under the operation deadline (see ``withDatabase(timeout:_:)``).
func withDatabase<Result: Sendable>(
    _ client: PostgresClient, _ logger: Logger, timeout: Duration,
    _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Result
) async throws -> Result {
    try await withDatabase(timeout: timeout) { try await body(client, logger) }
}

/// The operation's outcome, or `expired()` thrown once `timeout` passes, whichever comes first. Cancelling the
/// caller cancels the operation.
///
/// The operation runs in a task of its own, so the caller can leave it behind; the deadline is kept by
/// ``DeadlineWatch`` rather than a timer per call, which the hottest database reads would pay on every request.
func firstOf<Result: Sendable>(
    _ operation: @escaping @Sendable () async throws -> Result, orAfter timeout: Duration,
    expired: @escaping @Sendable () -> any Error
) async throws -> Result {
    let outcome = Outcome<Result>()
    let work = Task {
        do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
    }
    let watch = DeadlineWatch.shared.watch(until: .now + timeout) {
        outcome.finish(.failure(expired()))
        work.cancel()
    }
    defer { DeadlineWatch.shared.forget(watch) }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { outcome.wait(with: $0) }
    } onCancel: {
        work.cancel()
    }
}

/// The first result handed to it, delivered exactly once to the one continuation waiting for it (which may start
/// waiting before or after the result arrives).
private final class Outcome<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, any Error>)
        case finished(Result<Value, any Error>)
        case delivered
    }

    private let state = Mutex(State.empty)

    func wait(with continuation: CheckedContinuation<Value, any Error>) {
        let ready: Result<Value, any Error>? = state.withLock { state in
            guard case .finished(let result) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .delivered
            return result
        }
        if let ready { continuation.resume(with: ready) }
    }

    func finish(_ result: Result<Value, any Error>) {
        let waiting: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}

/// Deadlines of the calls in flight, checked by one task every `tick` for the whole process while any are
/// registered (it ends when none are left, and the next registration starts it again).
final class DeadlineWatch: Sendable {
    /// The process's watch: deadlines are met within 25 ms.
    static let shared = DeadlineWatch(tick: .milliseconds(25))

    private struct Entry {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var watching = false
    }

    private let state = Mutex(State())
    private let tick: Duration

    init(tick: Duration) {
        self.tick = tick
    }

    /// Calls `expire` once `deadline` has passed, unless ``forget(_:)`` is called first with the returned id.
    func watch(until deadline: ContinuousClock.Instant, _ expire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, start) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(deadline: deadline, expire: expire)
            defer { state.watching = true }
            return (id, !state.watching)
        }
        if start { Task.detached { await self.run() } }
        return id
    }

    /// Drops a deadline whose call has ended.
    func forget(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Deadlines registered and not yet expired or forgotten.
    var pending: Int { state.withLock { $0.entries.count } }

    private func run() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let due: [Entry]? = state.withLock { state in
                guard !state.entries.isEmpty else {
                    state.watching = false
                    return nil
                }
                var due: [Entry] = []
                for (id, entry) in state.entries where entry.deadline <= now {
                    due.append(entry)
                    state.entries[id] = nil
                }
                return due
            }
            guard let due else { return }
            for entry in due { entry.expire() }
        }
    }
}

extension PSQLError {
    /// Whether the error means the database could not be reached, the connection broke, or the server is
    /// shutting down or out of connections (SQLSTATE classes 08, 53 and 57): conditions that pass.
    var isConnectionFailure: Bool {
        let failures: [PSQLError.Code] = [.connectionError, .uncleanShutdown, .serverClosedConnection, .clientClosedConnection, .poolClosed]
        if failures.contains(where: { $0 == code }) { return true }
        guard code == .server, let state = serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
    }
}
