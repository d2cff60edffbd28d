public import AssayDomain

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``FeatureStore`` kept in memory. Publishing swaps the whole set in one actor step.
public actor InMemoryFeatureStore: FeatureStore {
    private var published: [UserFeatures] = []
    private var runsByID: [Int64: ETLRun] = [:]
    private var nextRunID: Int64 = 1
    private var slotTaken = false

    /// Creates an empty store.
    public init() {}

    public func withRunSlot<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard !slotTaken else { throw ETLError.runInProgress }
        slotTaken = true
        defer { slotTaken = false }
        // Holding the slot, no other run is alive: a run still marked running ended without finishing.
        for (id, run) in runsByID where run.status == .running {
            runsByID[id]?.status = .failed
            runsByID[id]?.finishedAt = Date()
            runsByID[id]?.failure = "interrupted: the process running it stopped before it finished; nothing was published"
        }
        return try await body()
    }

    public func createRun(mode: ETLMode, source: String, at time: Date) -> ETLRun {
        let run = ETLRun(id: nextRunID, mode: mode, source: source, startedAt: time)
        nextRunID += 1
        runsByID[run.id] = run
        return run
    }

    public func updateRun(_ run: ETLRun) {
        runsByID[run.id] = run
    }

    public func publish(_ features: [UserFeatures], run: ETLRun) {
        published = features
        runsByID[run.id] = run
    }

    public func runs(before beforeID: Int64?, limit: Int) -> [ETLRun] {
        Array(runsByID.values.filter { beforeID == nil || $0.id < beforeID ?? 0 }.sorted { $0.id > $1.id }.prefix(limit))
    }

    public func run(id: Int64) -> ETLRun? {
        runsByID[id]
    }

    public func features(after userID: Int64?, limit: Int) -> [UserFeatures] {
        let start = userID.map { after in Self.firstIndex(in: published) { $0.userID > after } } ?? 0
        return Array(published[start...].prefix(limit))
    }

    public func features(userID: Int64) -> UserFeatures? {
        let index = Self.firstIndex(in: published) { $0.userID >= userID }
        return index < published.count && published[index].userID == userID ? published[index] : nil
    }

    /// Binary search: the first index whose element satisfies `isAtOrAfter` (which is false, then true).
    private static func firstIndex(in features: [UserFeatures], where isAtOrAfter: (UserFeatures) -> Bool) -> Int {
        var low = 0
        var high = features.count
        while low < high {
            let middle = (low + high) / 2
            if isAtOrAfter(features[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
