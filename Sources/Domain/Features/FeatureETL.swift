#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The user-features use cases: run the ETL (streaming, validated, atomic), and read runs and features.
public struct FeatureETL<Store: FeatureStore>: Sendable {
    /// Cursor kind of feature lists.
    public static var featureCursorKind: String { "features" }
    /// Cursor kind of run lists.
    public static var runCursorKind: String { "etl-runs" }

    /// The storage port.
    public let store: Store
    /// Source of timestamps.
    public let clock: any WallClock
    /// Shortest time between two saves of a running run's progress.
    public var progressInterval: Duration

    /// Creates the use cases over a store and a clock.
    public init(store: Store, clock: any WallClock = SystemClock(), progressInterval: Duration = .milliseconds(500)) {
        self.store = store
        self.clock = clock
        self.progressInterval = progressInterval
    }

    /// Runs the ETL to its end and returns the finished run, `success` or `failed` (with the report).
    ///
    /// Throws ``ETLError/runInProgress`` when another run holds the slot. `onProgress` sees the run as it advances
    /// and last the finished run. It runs on the caller's isolation (`isolation`, by default the caller's actor), so
    /// it needs not be `@Sendable` and may change the caller's state; the run does not wait for it, so when it is
    /// slower than the reading it skips to the latest state.
    public func run(
        _ input: any ETLInput, mode: ETLMode, isolation: isolated (any Actor)? = #isolation, onProgress: (ETLRun) -> Void = { _ in }
    ) async throws -> ETLRun {
        // The run slot's body is @Sendable (a store may run it on a connection's task); progress crosses to the
        // caller's isolation through the stream, which keeps only the newest state.
        let (updates, report) = AsyncStream<ETLRun>.makeStream(bufferingPolicy: .bufferingNewest(1))
        async let finished: ETLRun = {
            defer { report.finish() }
            return try await store.withRunSlot {
                let run = try await store.createRun(mode: mode, source: input.source, at: clock.now())
                return try await execute(run, input: input, onProgress: { report.yield($0) })
            }
        }()
        for await run in updates { onProgress(run) }
        return try await finished
    }

    /// Starts a run in the background and returns it as soon as it is recorded; `finished` ends with the final run.
    /// Throws ``ETLError/runInProgress`` at once when another run holds the slot.
    public func start(_ input: any ETLInput, mode: ETLMode) async throws -> (run: ETLRun, finished: Task<ETLRun, any Error>) {
        let (started, announce) = AsyncThrowingStream<ETLRun, any Error>.makeStream()
        let finished = Task {
            do {
                return try await store.withRunSlot {
                    let run = try await store.createRun(mode: mode, source: input.source, at: clock.now())
                    announce.yield(run)
                    announce.finish()
                    return try await execute(run, input: input, onProgress: { _ in })
                }
            } catch {
                announce.finish(throwing: error)
                throw error
            }
        }
        for try await run in started { return (run, finished) }
        throw CancellationError()
    }

    /// One page of runs, newest first.
    public func runs(limit: Int?, cursor: String?) async throws -> Page<ETLRun> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.runCursorKind)
        let fetched = try await store.runs(before: page.afterID, limit: page.limit + 1)
        return Page(fetched: fetched, limit: page.limit, kind: Self.runCursorKind) { $0.id }
    }

    /// The run with this id; throws ``ETLError/runNotFound(_:)`` when missing.
    public func run(id: Int64) async throws -> ETLRun {
        guard let run = try await store.run(id: id) else { throw ETLError.runNotFound(id) }
        return run
    }

    /// One page of the published features, ascending by user id.
    public func features(limit: Int?, cursor: String?) async throws -> Page<UserFeatures> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.featureCursorKind)
        let fetched = try await store.features(after: page.afterID, limit: page.limit + 1)
        return Page(fetched: fetched, limit: page.limit, kind: Self.featureCursorKind) { $0.userID }
    }

    /// The published features of one user; throws ``ETLError/featuresNotFound(userID:)`` when missing.
    public func features(userID: Int64) async throws -> UserFeatures {
        guard let features = try await store.features(userID: userID) else { throw ETLError.featuresNotFound(userID: userID) }
        return features
    }

    // MARK: - The run

    /// Files in reading order: experiments refer to users and compounds, so those come first.
    private static var readingOrder: [ETLFile] { [.compounds, .users, .experiments] }

    private func execute(_ started: ETLRun, input: any ETLInput, onProgress: @Sendable (ETLRun) -> Void) async throws -> ETLRun {
        let job = FeatureJob(run: started)
        let begin = ContinuousClock.now
        var total = 0
        for file in Self.readingOrder {
            do {
                total += try await input.size(of: file) ?? 0
            } catch let error as ETLError {
                guard case .unreadable(_, let reason) = error else { throw error }
                job.fail(ETLIssue(file: file.rawValue, line: nil, column: nil, reason: reason))
            }
        }
        var done = 0
        var lastSave = ContinuousClock.now
        do {
            for file in Self.readingOrder where job.fatal == nil {
                try await job.read(file, from: input) { bytes in
                    done += bytes
                    job.run.progress = total > 0 ? min(0.99, Double(done) / Double(total)) : 0
                    onProgress(job.run)
                    if ContinuousClock.now - lastSave >= progressInterval {
                        lastSave = ContinuousClock.now
                        try await store.updateRun(job.run)
                    }
                }
            }
        } catch is CancellationError {
            return try await finish(job, failure: "the run was cancelled; nothing was published", since: begin)
        }
        job.run.readMilliseconds = Self.milliseconds(since: begin)
        if let fatal = job.fatal {
            return try await finish(job, failure: "\(fatal.file) cannot be used: \(fatal.reason); nothing was published", since: nil)
        }
        if job.run.mode == .strict, job.run.errorCount > 0 {
            let rows = job.run.counts.rejected == 1 ? "1 bad row" : "\(job.run.counts.rejected) bad rows"
            return try await finish(job, failure: "\(rows) in strict mode; nothing was published", since: nil)
        }
        let publishing = ContinuousClock.now
        let features = job.features()
        var run = job.run
        run.counts.published = features.count
        run.averageExperimentsPerUser = Double(job.acceptedExperiments) / Double(max(job.userCount, 1))
        run.status = .success
        run.progress = 1
        run.finishedAt = clock.now()
        try await store.publish(features, run: run)
        run.publishMilliseconds = Self.milliseconds(since: publishing)
        try await store.updateRun(run)
        onProgress(run)
        return run
    }

    /// Ends a run as failed, with the reason, and saves it.
    private func finish(_ job: FeatureJob, failure: String, since begin: ContinuousClock.Instant?) async throws -> ETLRun {
        var run = job.run
        if let begin { run.readMilliseconds = Self.milliseconds(since: begin) }
        run.status = .failed
        run.failure = failure
        run.finishedAt = clock.now()
        try await store.updateRun(run)
        return run
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
