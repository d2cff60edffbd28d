import AssayDomain
import PostgresNIO
import Synchronization

/// Fails Postgres calls at once while the database is known to be unreachable, instead of letting each wait for its
/// operation timeout.
///
/// It opens on a connection failure: a call failing with one, or a reachability check (a connection of its own,
/// outside the pool) failing. A check runs when a call has waited ``Settings/suspectAfter`` without an answer, at
/// most one at a time and one per ``Settings/probeInterval``: postgres-nio queues calls while it cannot connect, so a
/// check is how an unreachable database is noticed then. Opening fails every waiting call (those still under their
/// deadline) with ``UnavailableError``. While open, calls fail at once, except one every ``Settings/probeInterval``,
/// which goes through as a probe; any call that reaches the database (a result, or an SQL error) closes it, and so
/// does a reachability check that connects. A slow query is no failure: it stays governed by the operation timeout.
final class ConnectionBreaker: Sendable {
    /// How quickly the breaker suspects, probes and checks.
    struct Settings: Sendable {
        /// How long a call may wait before a reachability check runs.
        var suspectAfter: Duration = .milliseconds(250)
        /// While open, the time between probes; also the least time between reachability checks.
        var probeInterval: Duration = .milliseconds(250)
        /// How long the breaker must have been open for a reachability check that connects to count as the end of
        /// a long outage (see ``PostgresClients``): by then postgres-nio's back-off exceeds half a second.
        var longOutage: Duration = .seconds(2)
    }

    /// Whether a call may go to the database.
    enum Admission {
        /// Go on (as the probe of an open breaker, or normally).
        case pass
        /// Fail at once with this error.
        case refuse(UnavailableError)
    }

    private struct State {
        var reason: String?
        var openedAt: ContinuousClock.Instant?
        var nextProbe = ContinuousClock.now
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
        var checking = false
        var lastCheck: ContinuousClock.Instant?
    }

    /// A waiting call: how to fail it, and the generation of the client it waits on (``PostgresClients``).
    private struct Waiter {
        let generation: Int
        let fail: @Sendable (UnavailableError) -> Void
    }

    let settings: Settings
    private let isOpen = Atomic<Bool>(false)
    private let state = Mutex(State())

    init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Whether the breaker is open now.
    var open: Bool { isOpen.load(ordering: .relaxed) }

    /// Lets the call through, or refuses it at once while open (one call per probe interval still goes through).
    func admit() -> Admission {
        guard isOpen.load(ordering: .relaxed) else { return .pass }
        let interval = settings.probeInterval
        return state.withLock { state in
            guard let reason = state.reason else { return .pass }
            let now = ContinuousClock.now
            if now >= state.nextProbe {
                state.nextProbe = now + interval
                return .pass
            }
            return .refuse(UnavailableError(dependency: "postgres", reason: "unreachable (\(reason)); failing fast until it answers again"))
        }
    }

    /// The database answered a call: close.
    func reached() {
        guard isOpen.load(ordering: .relaxed) else { return }
        state.withLock { state in
            state.reason = nil
            state.openedAt = nil
        }
        isOpen.store(false, ordering: .relaxed)
    }

    /// How long the breaker has been open, or `nil` when it is closed.
    var openFor: Duration? {
        state.withLock { $0.openedAt.map { ContinuousClock.now - $0 } }
    }

    /// A connection failed: open, and fail every waiting call.
    func failed(reason: String) {
        let interval = settings.probeInterval
        let waiters = state.withLock { state in
            let now = ContinuousClock.now
            state.reason = reason
            state.openedAt = state.openedAt ?? now
            state.nextProbe = now + interval
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        isOpen.store(true, ordering: .relaxed)
        let error = UnavailableError(dependency: "postgres", reason: "connection failed (\(reason))")
        for waiter in waiters { waiter.fail(error) }
    }

    /// Fails the calls waiting on a client older than `generation` with `error` (the client was replaced).
    func failWaiters(olderThan generation: Int, _ error: UnavailableError) {
        let stale = state.withLock { state in
            let stale = state.waiters.filter { $0.value.generation < generation }
            for id in stale.keys { state.waiters.removeValue(forKey: id) }
            return Array(stale.values)
        }
        for waiter in stale { waiter.fail(error) }
    }

    /// Registers a waiting call on the client of `generation` and its way to fail; returns the id for ``leave(_:)``.
    func wait(generation: Int = 0, _ fail: @escaping @Sendable (UnavailableError) -> Void) -> UInt64 {
        state.withLock { state in
            let id = state.nextWaiter
            state.nextWaiter += 1
            state.waiters[id] = Waiter(generation: generation, fail: fail)
            return id
        }
    }

    /// The call ended.
    func leave(_ id: UInt64) {
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    /// A call has waited long: check reachability with `check` unless a check runs or ran within the probe interval.
    /// When the check connects after the breaker has been open for ``Settings/longOutage``, `returned` runs before
    /// the breaker closes.
    func suspect(_ check: @escaping @Sendable () async throws -> Void, returned: @escaping @Sendable () -> Void = {}) {
        let interval = settings.probeInterval
        let start: Bool = state.withLock { state in
            let now = ContinuousClock.now
            guard !state.checking, state.lastCheck.map({ now - $0 >= interval }) ?? true else { return false }
            state.checking = true
            state.lastCheck = now
            return true
        }
        guard start else { return }
        Task.detached {
            do {
                try await check()
                if let openFor = self.openFor, openFor >= self.settings.longOutage { returned() }
                self.reached()
            } catch {
                self.failed(reason: Self.describe(error))
            }
            self.state.withLock { $0.checking = false }
        }
    }

    /// What failed, without addresses or credentials (the reason reaches clients in the 503 problem).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "cannot connect: \(type(of: error))" }
        if let state = error.serverInfo?[.sqlState] { return "cannot connect: SQLSTATE \(state)" }
        return "cannot connect: \(error.code)"
    }
}
