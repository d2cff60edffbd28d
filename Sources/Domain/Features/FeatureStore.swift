#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Storage port for published user features and the history of ETL runs.
///
/// Publishing is atomic: a reader sees the previous feature set or the new one, never a mix, also when the
/// process dies mid-run. At most one run holds the run slot at a time, across every process sharing the store.
public protocol FeatureStore: Sendable {
    /// Runs `body` while holding the single run slot; throws ``ETLError/runInProgress`` when another run holds it.
    /// Runs left `running` by a process that died are marked failed when the slot is next taken.
    func withRunSlot<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result

    /// Records a new run, status `running`, with the next id.
    func createRun(mode: ETLMode, source: String, at time: Date) async throws -> ETLRun

    /// Saves a run's progress, counts, report or final failure.
    func updateRun(_ run: ETLRun) async throws

    /// Replaces the published feature set with `features` (ascending user id) and saves `run` (status
    /// `success`) in one atomic step.
    func publish(_ features: [UserFeatures], run: ETLRun) async throws

    /// Runs, newest first, with ids below `beforeID` when given.
    func runs(before beforeID: Int64?, limit: Int) async throws -> [ETLRun]

    /// The run with this id, or `nil`.
    func run(id: Int64) async throws -> ETLRun?

    /// Published features in ascending user id, after `userID` when given.
    func features(after userID: Int64?, limit: Int) async throws -> [UserFeatures]

    /// The published features of one user, or `nil`.
    func features(userID: Int64) async throws -> UserFeatures?
}

/// Where the three files of a run come from: a directory, an upload, memory.
public protocol ETLInput: Sendable {
    /// A short description for the run history, e.g. `directory /data/eikon`.
    var source: String { get }

    /// The file's size in bytes, for progress; `nil` when unknown. Throws ``ETLError/unreadable(file:reason:)``
    /// when the file is missing.
    func size(of file: ETLFile) async throws -> Int?

    /// The file's bytes, in chunks of any size, in order.
    func chunks(of file: ETLFile) async throws -> any AsyncSequence<[UInt8], any Error>
}
