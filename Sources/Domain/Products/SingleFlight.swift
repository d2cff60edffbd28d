/// Runs at most one computation per key at a time: callers asking for a key already being computed wait for
/// that computation's result instead of starting their own.
///
/// The computation runs in its own task, so a caller that is cancelled does not cancel it for the others.
public actor SingleFlight<Value: Sendable> {
    private var inFlight: [String: Task<Value, any Error>] = [:]

    /// Creates an empty group.
    public init() {}

    /// The result of `work` for `key`: started here when no computation for `key` is running, else shared.
    public func run(_ key: String, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let running = inFlight[key] { return try await running.value }
        let task = Task { try await work() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        return try await task.value
    }

    /// Keys being computed now.
    public var runningKeys: Int { inFlight.count }
}
