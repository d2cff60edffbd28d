import AssayDomain
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
}
