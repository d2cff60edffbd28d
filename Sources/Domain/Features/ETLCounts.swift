/// Row counts of a run.
public struct ETLCounts: Sendable, Hashable, Codable {
    /// Data rows read from users.csv.
    public var users = 0
    /// Data rows read from compounds.csv.
    public var compounds = 0
    /// Data rows read from user_experiments.csv.
    public var experiments = 0
    /// Rows refused (counted in every file).
    public var rejected = 0
    /// Feature rows published (one per accepted user).
    public var published = 0

    /// Creates counts, all zero by default.
    public init(users: Int = 0, compounds: Int = 0, experiments: Int = 0, rejected: Int = 0, published: Int = 0) {
        self.users = users
        self.compounds = compounds
        self.experiments = experiments
        self.rejected = rejected
        self.published = published
    }

    /// Data rows read across the three files.
    public var read: Int { users + compounds + experiments }
}
