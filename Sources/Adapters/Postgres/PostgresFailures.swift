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
    /// Whether the error means the database could not be reached, the connection broke, or the server is
    /// shutting down or out of connections (SQLSTATE classes 08, 53 and 57): conditions that pass.
    var isConnectionFailure: Bool {
        let failures: [PSQLError.Code] = [.connectionError, .uncleanShutdown, .serverClosedConnection, .clientClosedConnection, .poolClosed]
        if failures.contains(where: { $0 == code }) { return true }
        guard code == .server, let state = serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
    }
}
