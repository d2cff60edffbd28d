import AssayDomain
import Synchronization
import Testing

@testable import AssayPostgres

@Suite("Database deadline")
struct DeadlineTests {
    struct Expired: Error {}

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
        await #expect(throws: Expired.self) {
            _ = try await firstOf(operation, orAfter: .milliseconds(50)) { Expired() }
        }
        #expect(ContinuousClock.now - started < .seconds(10), "the caller waited for the safety net to open the gate")
        opener.finish()
        // Nothing left waiting: the next caller sees the operation's own result.
        #expect(try await firstOf({ 42 }, orAfter: .seconds(20)) { Expired() } == 42)
    }

    @Test func aLateAnswerIsUnavailable() async throws {
        await #expect(throws: UnavailableError.self) {
            _ = try await withDatabase(timeout: .milliseconds(20)) { try await Task.sleep(for: .seconds(20)) }
        }
    }

    /// One watch serves every call: a deadline fires once it passes, a forgotten one never does, and the watch
    /// starts again after it ran out of deadlines and stopped.
    @Test func theWatchFiresPassedDeadlinesOnly() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(5))
        let fired = Mutex<[String]>([])
        let (events, event) = AsyncStream<String>.makeStream()
        let soon = watch.watch(until: .now + .milliseconds(20)) { fired.withLock { $0.append("soon") }; event.yield("soon") }
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
