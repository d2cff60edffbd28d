import Synchronization

/// Runs at most one computation per key at a time: callers asking for a key already being computed wait for
/// that computation's result instead of starting their own.
///
/// The computation runs in its own task, so a caller that is cancelled does not cancel it for the others. The
/// table of running computations is behind a lock rather than in an actor: every uncached analytics request passes
/// here, and a lock costs no hop between executors.
public final class SingleFlight<Value: Sendable>: Sendable {
    private let inFlight = Mutex<[String: Task<Value, any Error>]>([:])

    /// Creates an empty group.
    public init() {}

    /// The result of `work` for `key`: started here when no computation for `key` is running, else shared.
    public func run(_ key: String, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let (task, started) = inFlight.withLock { running in
            if let task = running[key] { return (task, false) }
            let task = Task { try await work() }
            running[key] = task
            return (task, true)
        }
        // The caller that started the computation takes it off the table once it ends (awaiting a task's value is
        // not cut short by cancelling the waiter, so this always runs after the computation).
        defer { if started { _ = inFlight.withLock { $0.removeValue(forKey: key) } } }
        return try await task.value
    }

    /// Keys being computed now.
    public var runningKeys: Int { inFlight.withLock { $0.count } }
}
