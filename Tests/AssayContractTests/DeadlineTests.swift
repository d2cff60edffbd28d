import AssayDomain
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import AssayPostgres

@Suite("Database deadline")
struct DeadlineTests {
    /// A database whose client never runs: the operations under test do not use it.
    static func database(timeout: Duration) -> PostgresGateway {
        let client = PostgresClient(configuration: .init(host: "127.0.0.1", port: 1, username: "nobody", password: nil, database: nil, tls: .disable))
        return PostgresGateway(client: client, logger: Logger(label: "deadline-test"), operationTimeout: timeout)
    }

    /// An operation that ignores cancellation (as a query on a dead connection can) must not hold the caller past
    /// the deadline: the caller gets the expiry error while the operation is still running.
    @Test func theDeadlineHoldsEvenWhenTheOperationIgnoresCancellation() async throws {
        let (gate, opener) = AsyncStream<Void>.makeStream()
        // A safety net so a broken deadline fails the test instead of hanging the suite.
        let safety = Task {
            try? await Task.sleep(for: .seconds(20))
            opener.finish()
        }
        defer { safety.cancel() }
        let operation: @Sendable () async throws -> Int = {
            // Detached, so cancelling the operation does not end this wait.
            await Task.detached { for await _ in gate {} }.value
            return 1
        }
        let started = ContinuousClock.now
        let database = Self.database(timeout: .milliseconds(50))
        await #expect(throws: UnavailableError.self) {
            _ = try await database.run { _, _ in try await operation() }
        }
        #expect(ContinuousClock.now - started < .seconds(10), "the caller waited for the safety net to open the gate")
        opener.finish()
        // Nothing left waiting: the next caller sees the operation's own result.
        #expect(try await Self.database(timeout: .seconds(20)).run { _, _ in 42 } == 42)
    }

    @Test func aLateAnswerIsUnavailable() async throws {
        await #expect(throws: UnavailableError.self) {
            _ = try await Self.database(timeout: .milliseconds(20)).run { _, _ in try await Task.sleep(for: .seconds(20)) }
        }
    }

    /// A long job's deadline covers only what precedes `started`: stopped in time, the job outlives the timeout.
    @Test func aStartedLongJobOutlivesTheTimeout() async throws {
        let database = Self.database(timeout: .seconds(1))
        let value = try await database.guarded { started in
            guard started() else { return 0 }
            try await Task.sleep(for: .milliseconds(1_500))
            return 7
        }
        #expect(value == 7)
        // Unclaimed, the same wait is cut off at the deadline.
        let cutOff = ContinuousClock.now
        await #expect(throws: UnavailableError.self) {
            _ = try await database.guarded { _ in try await Task.sleep(for: .seconds(10)) }
        }
        #expect(ContinuousClock.now - cutOff < .seconds(5))
    }

    /// One watch serves every call: a deadline fires once it passes, a forgotten one never does, and the watch
    /// starts again after it ran out of deadlines and stopped.
    @Test func theWatchFiresPassedDeadlinesOnly() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(5))
        let fired = Mutex<[String]>([])
        let (events, event) = AsyncStream<String>.makeStream()
        let soon = watch.watch(until: .now + .milliseconds(20)) {
            fired.withLock { $0.append("soon") }
            event.yield("soon")
        }
        let forgotten = watch.watch(until: .now + .milliseconds(30)) { fired.withLock { $0.append("forgotten") } }
        let later = watch.watch(until: .now + .seconds(60)) { fired.withLock { $0.append("later") } }
        watch.forget(forgotten)
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == "soon")
        try await Task.sleep(for: .milliseconds(60))
        #expect(fired.withLock { $0 } == ["soon"])
        #expect(watch.pending == 1)
        _ = soon
        watch.forget(later)
        #expect(watch.pending == 0)
        // Idle now; the next deadline starts the watch again.
        try await Task.sleep(for: .milliseconds(30))
        _ = watch.watch(until: .now + .milliseconds(10)) { event.yield("again") }
        #expect(await iterator.next() == "again")
        #expect(watch.pending == 0)
    }
}
