import Synchronization

/// Deadlines of the calls in flight, checked by one task every `tick` for the whole process while any are
/// registered (it ends when none are left, and the next registration starts it again).
final class DeadlineWatch: Sendable {
    private struct Entry {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var watching = false
    }

    private let state = Mutex(State())
    private let tick: Duration

    init(tick: Duration) {
        self.tick = tick
    }

    /// Calls `expire` once `deadline` has passed, unless ``forget(_:)`` is called first with the returned id.
    func watch(until deadline: ContinuousClock.Instant, _ expire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, start) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(deadline: deadline, expire: expire)
            defer { state.watching = true }
            return (id, !state.watching)
        }
        if start { Task.detached { await self.run() } }
        return id
    }

    /// Drops a deadline whose call has ended.
    func forget(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Deadlines registered and not yet expired or forgotten.
    var pending: Int { state.withLock { $0.entries.count } }

    private func run() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let due: [Entry]? = state.withLock { state in
                guard !state.entries.isEmpty else {
                    state.watching = false
                    return nil
                }
                var due: [Entry] = []
                for (id, entry) in state.entries where entry.deadline <= now {
                    due.append(entry)
                    state.entries[id] = nil
                }
                return due
            }
            guard let due else { return }
            for entry in due { entry.expire() }
        }
    }
}
