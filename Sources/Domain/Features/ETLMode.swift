/// What a run does with bad rows.
public enum ETLMode: String, Sendable, Hashable, Codable {
    /// Any bad row fails the run and nothing is published.
    case strict
    /// Bad rows are skipped and reported; the rest is published.
    case lenient
}
