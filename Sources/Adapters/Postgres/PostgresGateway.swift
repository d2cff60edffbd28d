import AssayDomain
public import Logging
public import PostgresNIO
import Synchronization

/// The one way the Postgres adapters reach the database: a running client, its logger, and the rules every call
/// follows — a deadline, "cannot reach the database" turned into ``UnavailableError``, and a count of calls in flight.
///
/// postgres-nio queues requests while it retries connecting (for up to a minute), and a query on a connection whose
/// server went away may not notice cancellation; a request must not hang that long. After the operation timeout the
/// caller gets a clear "unavailable" error, and the operation is cancelled and left to end on its own. (A task group
/// cannot do this: leaving the group waits for every child, including one that ignores cancellation.) Adapters built
/// over one value share its deadline watch and its count.
public struct PostgresGateway: Sendable {
    /// The clients calls use: a `Service` to run (it runs the current client and any replacement).
    public let clients: PostgresClients
    /// The client new calls use now.
    public var client: PostgresClient { clients.client }
    /// The logger queries log to.
    public let logger: Logger
    /// How long a call may take before it fails as unavailable.
    public let operationTimeout: Duration
    private let watch: DeadlineWatch
    private let activity: Activity
    private let breaker: ConnectionBreaker
    /// Connects outside the pool and disconnects: how the breaker tells an unreachable database from a slow query.
    private let reachability: (@Sendable () async throws -> Void)?
    /// What a reachability check that connects after a long outage does (``ConnectionBreaker/suspect(_:returned:)``):
    /// made once here, not on every call.
    private let reconnect: @Sendable () -> Void

    /// Creates the database over `client`, which must be running (it is a `Service`: add it to the service group).
    ///
    /// The breaker opens only when a call fails with a connection failure, and the client is never replaced: use
    /// ``init(settings:logger:)`` for a server.
    public init(client: PostgresClient, logger: Logger, operationTimeout: Duration = .seconds(5)) {
        self.init(
            clients: PostgresClients(first: client, make: nil), logger: logger, operationTimeout: operationTimeout,
            watch: DeadlineWatch(tick: .milliseconds(25)))
    }

    /// Creates the database `settings` describe, with their operation timeout. Run ``clients`` (a `Service`).
    ///
    /// The breaker also checks reachability on a connection of its own when a call waits long (``ConnectionBreaker``),
    /// which is how a database that refuses new connections is noticed while postgres-nio queues calls; and when that
    /// check connects after a long outage, the pooled client is replaced by a fresh one (``PostgresClients``), so the
    /// database is used again within a second of its return rather than after postgres-nio's back-off.
    public init(settings: PostgresSettings, logger: Logger) {
        let (configuration, connection) = (settings.client, settings.connection)
        let make: @Sendable () -> PostgresClient = { PostgresClient(configuration: configuration, backgroundLogger: logger) }
        self.init(
            clients: PostgresClients(first: make(), make: make), logger: logger, operationTimeout: settings.operationTimeout,
            watch: DeadlineWatch(tick: .milliseconds(25)),
            reachability: {
                let probe = try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
                try await probe.close()
            })
    }

    init(
        clients: PostgresClients, logger: Logger, operationTimeout: Duration, watch: DeadlineWatch,
        reachability: (@Sendable () async throws -> Void)? = nil, breaker: ConnectionBreaker.Settings = .init()
    ) {
        self.clients = clients
        self.logger = logger
        self.operationTimeout = operationTimeout
        self.watch = watch
        self.activity = Activity()
        let breaker = ConnectionBreaker(settings: breaker)
        self.breaker = breaker
        self.reachability = reachability
        // The database is back after a long outage while calls wait on the old pool's back-off: a fresh client serves
        // new calls, and the calls waiting on the old one are answered now rather than at their deadline.
        self.reconnect = {
            guard clients.replace() else { return }
            logger.info("postgres is reachable again: connecting a fresh pool", metadata: ["pool": "\(clients.replacements)"])
            breaker.failWaiters(
                olderThan: clients.replacements, UnavailableError(dependency: "postgres", reason: "reconnecting after an outage"))
        }
    }

    /// Whether calls fail at once because the database is unreachable (the breaker is open).
    public var failingFast: Bool { breaker.open }

    /// Calls running or waiting for a pooled connection right now (an abandoned call counts until it ends).
    public var callsInFlight: Int { activity.inFlight.load(ordering: .relaxed) }

    /// Runs `body` under the operation deadline.
    func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Result) async throws -> Result {
        let logger = self.logger
        return try await guarded { client, _ in try await body(client, logger) }
    }

    /// Runs `body` in one transaction (postgres-nio's `withTransaction`: commit on return, rollback on a throw) under
    /// the operation deadline.
    func transaction<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        return try await guarded { client, _ in try await client.withTransaction(logger: logger) { try await body($0, logger) } }
    }

    /// Runs `body` on one pooled connection for a job of any length: the deadline covers only getting the connection
    /// and what runs before `body` calls its `started` argument, so an unreachable database still fails fast while a
    /// long job (an ETL run holding its slot, a large COPY) is not cut off. `started` returns `false` when the deadline
    /// has passed already: the caller has been answered, and `body` must throw rather than go on.
    func longJob<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger, _ started: @escaping @Sendable () -> Bool) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        return try await guarded { client, started in try await client.withConnection { try await body($0, logger, started) } }
    }

    /// The operation's outcome, or ``UnavailableError`` once the deadline passes, whichever comes first; connection
    /// failures also become ``UnavailableError``. Cancelling the caller cancels the operation. An operation that calls
    /// its `claim` argument (and gets `true`) is waited for whatever its length: the deadline no longer applies.
    ///
    /// The operation runs in a task of its own, so the caller can leave it behind; the deadline is kept by
    /// ``DeadlineWatch`` rather than a timer per call, which the hottest database reads would pay on every request.
    func guarded<Result: Sendable>(
        _ operation: @escaping @Sendable (_ claim: @escaping @Sendable () -> Bool) async throws -> Result
    ) async throws -> Result {
        try await guarded { _, claim in try await operation(claim) }
    }

    /// ``guarded(_:)`` for an operation on the current client (the one it gets).
    func guarded<Result: Sendable>(
        _ operation: @escaping @Sendable (PostgresClient, _ claim: @escaping @Sendable () -> Bool) async throws -> Result
    ) async throws -> Result {
        let timeout = operationTimeout
        let (watch, activity, breaker, clients, reconnect) = (self.watch, self.activity, self.breaker, self.clients, self.reconnect)
        if case .refuse(let error) = breaker.admit() { throw error }
        let outcome = Outcome<Result>()
        let lease = clients.checkOut()
        let work = Task {
            activity.inFlight.add(1, ordering: .relaxed)
            defer {
                activity.inFlight.subtract(1, ordering: .relaxed)
                clients.checkIn(lease)
            }
            do { outcome.finish(.success(try await operation(lease.client) { outcome.claim() })) } catch { outcome.finish(.failure(error)) }
        }
        let deadline = watch.watch(until: .now + timeout) {
            // A claimed operation is past its deadline's reach: leave it running.
            if outcome.expire(UnavailableError(dependency: "postgres", reason: "no answer within \(timeout)")) { work.cancel() }
        }
        // A trip of the breaker fails this call at once (unless it claimed its outcome), like a passed deadline.
        let waiter = breaker.wait(generation: lease.generation) { error in if outcome.expire(error) { work.cancel() } }
        let suspicion = reachability.map { check in
            watch.watch(until: .now + breaker.settings.suspectAfter) { breaker.suspect(check, returned: reconnect) }
        }
        defer {
            watch.forget(deadline)
            if let suspicion { watch.forget(suspicion) }
            breaker.leave(waiter)
        }
        do {
            let result = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { outcome.wait(with: $0) }
            } onCancel: {
                work.cancel()
            }
            breaker.reached()
            return result
        } catch {
            // postgres-nio wraps what went wrong in a transaction; callers want the failure itself.
            let failure = (error as? PostgresTransactionError).map { $0.closureError ?? $0.beginError ?? $0.commitError ?? error } ?? error
            if let error = failure as? PSQLError {
                if error.isConnectionFailure {
                    // A replaced client's calls may still fail as it shuts down: that says nothing of the database.
                    if clients.isCurrent(lease) { breaker.failed(reason: "\(error.code)") }
                    throw UnavailableError(dependency: "postgres", reason: "connection failed (\(error.code))")
                }
                // The database answered, with an error of the statement.
                breaker.reached()
            }
            throw failure
        }
    }

    /// Calls in flight, shared by the copies of one ``PostgresGateway``.
    private final class Activity: Sendable {
        let inFlight = Atomic<Int>(0)
    }
}
