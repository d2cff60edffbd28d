import PostgresNIO

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
