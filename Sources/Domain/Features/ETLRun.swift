#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A run of the ETL: its status, progress, counts, the first problems and its timings.
public struct ETLRun: Sendable, Hashable, Codable {
    /// Most problems kept in a run's report; ``errorCount`` counts them all.
    public static let reportedIssueLimit = 100

    /// The run's id, increasing with each run.
    public var id: Int64
    public var status: ETLRunStatus
    public var mode: ETLMode
    /// Where the files came from, e.g. `directory /data/eikon` or `upload`.
    public var source: String
    /// Fraction of the input read, 0...1.
    public var progress: Double
    public var counts: ETLCounts
    /// The first ``reportedIssueLimit`` problems, in reading order.
    public var errors: [ETLIssue]
    /// Every problem found.
    public var errorCount: Int
    /// Why the run failed; `nil` unless ``status`` is `failed`.
    public var failure: String?
    /// Accepted experiments per user; set once the input is read.
    public var averageExperimentsPerUser: Double?
    public var startedAt: Date
    public var finishedAt: Date?
    /// Time spent reading and deriving, and publishing, in milliseconds.
    public var readMilliseconds: Int?
    public var publishMilliseconds: Int?

    /// A new run that has just started.
    public init(id: Int64, mode: ETLMode, source: String, startedAt: Date) {
        self.id = id
        self.status = .running
        self.mode = mode
        self.source = source
        self.progress = 0
        self.counts = ETLCounts()
        self.errors = []
        self.errorCount = 0
        self.startedAt = startedAt
    }

    /// Records a problem: kept in the report while there is room, always counted.
    public mutating func report(_ issue: ETLIssue) {
        errorCount += 1
        if errors.count < Self.reportedIssueLimit { errors.append(issue) }
    }
}
