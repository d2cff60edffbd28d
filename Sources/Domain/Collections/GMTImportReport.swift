/// What a GMT import did.
public struct GMTImportReport: Sendable, Hashable {
    /// Most problems listed in a report or a refusal; the rest are counted only.
    public static let maximumProblems = 100

    /// The collection the sets went to.
    public var collectionID: Int64
    /// Sets imported.
    public var imported: Int
    /// Member genes imported over all sets (a gene repeated within a line counts once).
    public var memberships: Int
    /// Lines skipped (lenient mode only).
    public var skipped: Int
    /// The first problems of skipped lines, by line.
    public var problems: [GMTProblem]
    /// Genes repeated within a line (kept once): the line's set name with the repeated genes, first lines first.
    public var duplicateGenes: [GMTProblem]
    /// What resolving gene names did (imports with `resolve=true`), or `nil`.
    public var resolution: GMTRenamingSummary?

    /// Creates a report.
    public init(
        collectionID: Int64, imported: Int, memberships: Int, skipped: Int, problems: [GMTProblem], duplicateGenes: [GMTProblem]
    ) {
        self.collectionID = collectionID
        self.imported = imported
        self.memberships = memberships
        self.skipped = skipped
        self.problems = problems
        self.duplicateGenes = duplicateGenes
    }
}

/// What a GMT import does with a bad line.
public enum GMTImportMode: String, Sendable, Hashable, CaseIterable {
    /// Any bad line refuses the whole file: nothing is imported.
    case strict
    /// Bad lines are skipped and reported; the good ones are imported.
    case lenient
}
