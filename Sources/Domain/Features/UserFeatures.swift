#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

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
