/// Where a run is.
public enum ETLRunStatus: String, Sendable, Hashable, Codable {
    case running
    case success
    case failed
}
