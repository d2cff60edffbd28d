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
func firstOf<Result: Sendable>(
    _ operation: @escaping @Sendable () async throws -> Result, orAfter timeout: Duration,
    expired: @escaping @Sendable () -> any Error
) async throws -> Result {
    let work = Task { try await operation() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let outcome = Outcome(continuation)
            let timer = Task {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                outcome.finish(.failure(expired()))
                work.cancel()
            }
            Task {
                let result = await work.result
                timer.cancel()
                outcome.finish(result)
            }
        }
    } onCancel: {
        work.cancel()
    }
}

/// Resumes a continuation exactly once, with whichever result arrives first.
private final class Outcome<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, any Error>?>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func finish(_ result: Result<Value, any Error>) {
        let first = continuation.withLock { pending in
            defer { pending = nil }
            return pending
        }
        first?.resume(with: result)
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
