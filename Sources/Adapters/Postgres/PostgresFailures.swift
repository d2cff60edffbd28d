import AssayDomain
import PostgresNIO

/// Runs a database call with a deadline, and turns "cannot reach the database" into ``UnavailableError``.
///
/// postgres-nio queues requests while it retries connecting (for up to a minute); a request must not hang
/// that long, so after `timeout` the caller gets a clear "unavailable" error instead.
func withDatabase<Result: Sendable>(timeout: Duration, _ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
    do {
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw UnavailableError(dependency: "postgres", reason: "no answer within \(timeout)")
            }
            return result
        }
    } catch let error as PSQLError where error.isConnectionFailure {
        throw UnavailableError(dependency: "postgres", reason: "connection failed (\(error.code))")
    }
}

extension PSQLError {
    /// Whether the error means the database could not be reached or the connection broke.
    var isConnectionFailure: Bool {
        let failures: [PSQLError.Code] = [.connectionError, .uncleanShutdown, .serverClosedConnection, .clientClosedConnection, .poolClosed]
        return failures.contains { $0 == code }
    }
}
