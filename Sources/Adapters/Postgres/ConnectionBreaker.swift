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
        var nextProbe = ContinuousClock.now
        var waiters: [UInt64: @Sendable (UnavailableError) -> Void] = [:]
        var nextWaiter: UInt64 = 0
        var checking = false
        var lastCheck: ContinuousClock.Instant?
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
        state.withLock { $0.reason = nil }
        isOpen.store(false, ordering: .relaxed)
    }

    /// A connection failed: open, and fail every waiting call.
    func failed(reason: String) {
        let interval = settings.probeInterval
        let waiters = state.withLock { state in
            state.reason = reason
            state.nextProbe = ContinuousClock.now + interval
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        isOpen.store(true, ordering: .relaxed)
        let error = UnavailableError(dependency: "postgres", reason: "connection failed (\(reason))")
        for fail in waiters { fail(error) }
    }

    /// Registers a waiting call's way to fail; returns the id for ``leave(_:)``.
    func wait(_ fail: @escaping @Sendable (UnavailableError) -> Void) -> UInt64 {
        state.withLock { state in
            let id = state.nextWaiter
            state.nextWaiter += 1
            state.waiters[id] = fail
            return id
        }
    }

    /// The call ended.
    func leave(_ id: UInt64) {
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    /// A call has waited long: check reachability with `check` unless a check runs or ran within the probe interval.
    func suspect(_ check: @escaping @Sendable () async throws -> Void) {
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
