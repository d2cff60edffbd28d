#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The three files of a lab export.
public enum ETLFile: String, Sendable, Hashable, CaseIterable, Codable {
    case users = "users.csv"
    case experiments = "user_experiments.csv"
    case compounds = "compounds.csv"

    /// The columns the file must have (in any order; other columns are ignored).
    public var columns: [String] {
        switch self {
        case .users: ["user_id", "name", "email", "signup_date"]
        case .experiments: ["experiment_id", "user_id", "experiment_compound_ids", "experiment_run_time"]
        case .compounds: ["compound_id", "compound_name", "compound_structure"]
        }
    }
}

/// A compound of the catalog.
public struct Compound: Sendable, Hashable, Codable {
    /// The compound's id in the export.
    public var id: Int64
    /// Its name.
    public var name: String
    /// Its structure, e.g. a formula.
    public var structure: String

    /// Creates a compound.
    public init(id: Int64, name: String, structure: String) {
        self.id = id
        self.name = name
        self.structure = structure
    }
}

/// The features of one user, derived from all their experiments.
public struct UserFeatures: Sendable, Hashable, Codable {
    /// The user's id in the export.
    public var userID: Int64
    /// The user's name.
    public var name: String
    /// The user's e-mail address.
    public var email: String
    /// When the user signed up (UTC).
    public var signupDate: Date
    /// Experiments the user ran.
    public var experimentCount: Int
    /// Sum of their run times.
    public var totalRunTime: Double
    /// Mean run time; `nil` without experiments.
    public var averageRunTime: Double?
    /// Different compounds used across their experiments.
    public var distinctCompounds: Int
    /// The compound used in most experiments, the lowest id among equals; `nil` without experiments.
    public var topCompound: Compound?
    /// Experiments that used ``topCompound``.
    public var topCompoundUses: Int
    /// Every compound id with ``topCompoundUses`` uses, ascending (the top compound first).
    public var tiedCompounds: [Int64]

    /// Creates a feature row.
    public init(
        userID: Int64, name: String, email: String, signupDate: Date, experimentCount: Int, totalRunTime: Double,
        averageRunTime: Double?, distinctCompounds: Int, topCompound: Compound?, topCompoundUses: Int, tiedCompounds: [Int64]
    ) {
        self.userID = userID
        self.name = name
        self.email = email
        self.signupDate = signupDate
        self.experimentCount = experimentCount
        self.totalRunTime = totalRunTime
        self.averageRunTime = averageRunTime
        self.distinctCompounds = distinctCompounds
        self.topCompound = topCompound
        self.topCompoundUses = topCompoundUses
        self.tiedCompounds = tiedCompounds
    }
}

/// What a run does with bad rows.
public enum ETLMode: String, Sendable, Hashable, Codable {
    /// Any bad row fails the run and nothing is published.
    case strict
    /// Bad rows are skipped and reported; the rest is published.
    case lenient
}

/// Where a run is.
public enum ETLRunStatus: String, Sendable, Hashable, Codable {
    case running
    case success
    case failed
}

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
