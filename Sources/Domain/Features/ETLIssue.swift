/// One problem in the input: which file, where, and why.
public struct ETLIssue: Sendable, Hashable, Codable {
    /// The file, e.g. `users.csv`.
    public var file: String
    /// The 1-based line, or `nil` for the file as a whole (missing, empty).
    public var line: Int?
    /// The column, or `nil` for the row as a whole.
    public var column: String?
    /// What is wrong.
    public var reason: String

    /// Creates an issue.
    public init(file: String, line: Int?, column: String?, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }
}
