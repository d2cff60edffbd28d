/// Why a GMT line was refused; a line can have several.
public struct GMTProblem: Error, Sendable, Hashable {
    /// The 1-based line.
    public var line: Int
    /// The set's name when the line got that far.
    public var setName: String?
    /// What is wrong, safe to show to the user.
    public var reason: String

    /// Creates a problem report.
    public init(line: Int, setName: String?, reason: String) {
        self.line = line
        self.setName = setName
        self.reason = reason
    }
}
