/// Failures of the ETL use cases.
public enum ETLError: Error, Sendable, Hashable {
    /// Another run is in progress; only one runs at a time.
    case runInProgress
    /// No run has this id.
    case runNotFound(Int64)
    /// No feature row for this user in the published set.
    case featuresNotFound(userID: Int64)
    /// A file of the input cannot be opened or read.
    case unreadable(file: String, reason: String)
}
