public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// The pooled client a ``PostgresGateway`` sends calls to, replaced by a fresh one when the database comes back from
/// a long outage.
///
/// postgres-nio retries connecting with a back-off that grows to a minute (100 ms x 1.25 per failed attempt), and
/// nothing outside the pool can shorten it: after an outage of a minute a returned database would wait up to that long
/// for its first connection. When the gateway's breaker has been open a while and its own reachability check connects
/// again, it replaces the client instead (``replace()``), which connects at once. The old client keeps running until
/// its last call has ended, then shuts down.
///
/// It is a `Service`: running it runs the current client and every replacement; graceful shutdown ends them all.
public final class PostgresClients: Service, Sendable {
    /// One client and the calls that use it.
    final class Lease: Sendable {
        let client: PostgresClient
        let generation: Int
        /// Calls checked out on this client and not yet checked in.
        let calls = Atomic<Int>(0)
        /// Set when a newer client replaced this one: it shuts down once `calls` is 0.
        let retired = Atomic<Bool>(false)

        init(client: PostgresClient, generation: Int) {
            self.client = client
            self.generation = generation
        }
    }

    private let current: Mutex<Lease>
    private let make: (@Sendable () -> PostgresClient)?
    private let started: AsyncStream<Lease>
    private let start: AsyncStream<Lease>.Continuation
    /// Set on graceful shutdown: every client then ends by itself (postgres-nio's own graceful shutdown).
    private let stopping = Atomic<Bool>(false)
    /// How often a retired client checks whether its last call ended.
    private let retireCheck: Duration

    /// Runs `first`; `make`, when given, makes the replacements.
    init(first: PostgresClient, make: (@Sendable () -> PostgresClient)?, retireCheck: Duration = .milliseconds(250)) {
        let lease = Lease(client: first, generation: 0)
        self.current = Mutex(lease)
        self.make = make
        self.retireCheck = retireCheck
        (started, start) = AsyncStream.makeStream(of: Lease.self)
        start.yield(lease)
    }

    /// The client new calls use.
    public var client: PostgresClient { current.withLock { $0.client } }

    /// How many times the client was replaced.
    public var replacements: Int { current.withLock { $0.generation } }

    /// The current client, counted as in use until ``checkIn(_:)``.
    func checkOut() -> Lease {
        current.withLock { lease in
            lease.calls.add(1, ordering: .relaxed)
            return lease
        }
    }

    /// A call on `lease` ended.
    func checkIn(_ lease: Lease) {
        lease.calls.subtract(1, ordering: .relaxed)
    }

    /// Whether `lease` is still the client new calls use.
    func isCurrent(_ lease: Lease) -> Bool {
        current.withLock { $0 === lease }
    }

    /// Starts a fresh client for new calls and retires the current one; `false` when there is no way to make one.
    @discardableResult
    func replace() -> Bool {
        guard let make else { return false }
        let fresh: Lease = current.withLock { lease in
            let fresh = Lease(client: make(), generation: lease.generation + 1)
            lease.retired.store(true, ordering: .relaxed)
            lease = fresh
            return fresh
        }
        start.yield(fresh)
        return true
    }

    /// Runs every client until graceful shutdown or cancellation.
    public func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await lease in started {
                    group.addTask {
                        await withDiscardingTaskGroup { client in
                            client.addTask { await lease.client.run() }
                            // Until a retired client's last call has ended, or the service stops.
                            while !Task.isCancelled, !self.stopping.load(ordering: .relaxed),
                                !(lease.retired.load(ordering: .relaxed) && lease.calls.load(ordering: .relaxed) == 0)
                            {
                                try? await Task.sleep(for: self.retireCheck)
                            }
                            if !self.stopping.load(ordering: .relaxed) { client.cancelAll() }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.start.finish()
        }
    }
}
