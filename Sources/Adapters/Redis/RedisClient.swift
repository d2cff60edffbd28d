import AssayDomain
import Dispatch
public import Logging
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// A small pool of blocking hiredis connections, each on a dedicated thread, with pipelining across callers.
///
/// hiredis blocks, so its calls run on ``RedisSettings/poolSize`` threads of a `NIOThreadPool`, never on an event
/// loop or the Swift cooperative pool. Each thread owns at most one connection and loops: take every waiting call
/// (up to a batch limit), send all their commands in one pipeline, hand each caller its replies. A caller's task
/// suspends on a continuation meanwhile. A sleeping thread is woken only when no thread is busy or the queue has
/// grown, so under load the calls that arrive during a round trip share the next one instead of each waking a
/// thread: one `/api` hit costs a queue append and a continuation resume, not a thread hand-off of its own.
///
/// Failures: a connect or I/O error (timeouts included) drops that connection, retires every other open one, and
/// for ``RedisSettings/retryInterval`` calls fail at once with ``UnavailableError`` instead of each waiting to
/// connect; the next call after that connects again, so the client recovers by itself when Redis returns. A call
/// still queued after ``RedisSettings/operationTimeout`` fails as unavailable. A command on a connection that the
/// server had closed (say, after a Redis restart) is sent once more on a new connection: it never ran.
public final class RedisClient: Service, Sendable {
    /// The connection settings.
    public let settings: RedisSettings
    private let core: RedisDispatcher
    private let threads: NIOThreadPool

    /// Starts the pool's threads; connections open on first use. The threads run until ``run()`` ends (the client is a
    /// `Service`: add it to the service group) or ``shutdown()`` is called.
    public init(settings: RedisSettings, logger: Logger = Logger(label: "assay-redis")) {
        self.settings = settings
        self.core = RedisDispatcher(settings: settings, logger: logger)
        self.threads = NIOThreadPool(numberOfThreads: settings.poolSize)
        threads.start()
        for _ in 0..<settings.poolSize {
            threads.submit { [core] work in
                guard case .active = work else { return }
                RedisWorker(core: core).run()
            }
        }
    }

    /// Serves calls until graceful shutdown or cancellation, then stops the threads (``shutdown()``). A service group
    /// shuts the server down first, so requests in flight still reach Redis.
    public func run() async throws {
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await _ in stopped {}
            } onGracefulShutdown: {
                stop.finish()
            }
        } onCancel: {
            stop.finish()
        }
        shutdown()
    }

    /// Fails every queued call and stops the threads and their connections; later calls fail as unavailable.
    /// Calling it again does nothing.
    public func shutdown() {
        guard core.stop() else { return }
        threads.shutdownGracefully { _ in }
    }

    /// Sends `commands` in one pipeline (possibly with other callers' commands) and returns one reply per
    /// command, in order. Error replies are returned, not thrown; connection failures throw ``UnavailableError``.
    public func execute(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let deadline = ContinuousClock.now + settings.operationTimeout
        return try await withCheckedThrowingContinuation { continuation in
            core.enqueue(RedisJob(commands: commands, deadline: deadline, continuation: continuation))
        }
    }

    /// Checks that Redis answers `PING`.
    public func ping() async throws {
        let reply = try await execute([[Array("PING".utf8)]])
        guard case .status("PONG") = try reply.first?.checked() else { throw RedisCommandError("unexpected PING reply \(reply)") }
    }

    /// How the pool is used right now, for metrics.
    public var usage: RedisPoolUsage { core.usage }
}

/// A snapshot of a ``RedisClient``'s pool.
public struct RedisPoolUsage: Sendable, Equatable {
    /// Threads (each with at most one connection).
    public var threads: Int
    /// Open connections.
    public var connections: Int
    /// Threads in the middle of a round trip.
    public var busy: Int
    /// Calls waiting for a thread.
    public var queued: Int
}

/// One caller's commands and where its replies go.
private struct RedisJob: Sendable {
    let commands: [RedisCommand]
    let deadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<[RedisReply], any Error>

    func fail(_ reason: String) {
        continuation.resume(throwing: UnavailableError(dependency: "redis", reason: reason))
    }
}

/// The queue the worker threads share, and the pool's failure state.
private final class RedisDispatcher: Sendable {
    let settings: RedisSettings
    let logger: Logger
    private let state: Mutex<State>
    /// Sleeping workers wait here; ``State/sleepers`` counts them, so a signal is only sent to one that waits.
    private let wakeup = DispatchSemaphore(value: 0)

    /// Most commands sent in one pipeline.
    static let batchLimit = 1_024
    /// With a worker busy, a sleeper is woken only once this many calls queue behind it.
    static let queueDepthToWake = 16

    struct State: Sendable {
        var pending: [RedisJob] = []
        var sleepers = 0
        var busy = 0
        var connections = 0
        var stopped = false
        /// Bumped on every failure; connections opened under an older generation are closed, not reused.
        var generation = 0
        var downUntil: ContinuousClock.Instant?
        var lastFailure = ""
    }

    /// What a worker gets from ``take()``.
    struct Batch {
        var jobs: [RedisJob]
        var generation: Int
        /// Set while connecting is pointless (right after a failure): the reason to fail with.
        var down: String?
    }

    init(settings: RedisSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.state = Mutex(State())
    }

    var usage: RedisPoolUsage {
        state.withLock { RedisPoolUsage(threads: settings.poolSize, connections: $0.connections, busy: $0.busy, queued: $0.pending.count) }
    }

    func enqueue(_ job: RedisJob) {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard !state.stopped else { return (false, false) }
            state.pending.append(job)
            guard state.sleepers > 0, state.busy == 0 || state.pending.count >= Self.queueDepthToWake else { return (true, false) }
            state.sleepers -= 1
            return (true, true)
        }
        if !accepted { job.fail("the Redis client is shutting down") }
        if wake { wakeup.signal() }
    }

    /// Blocks until there is work; `nil` when the client stops. The caller counts as busy until its next `take`.
    func take(finishing wasBusy: Bool) -> Batch? {
        var wasBusy = wasBusy
        while true {
            let now = ContinuousClock.now
            let batch = state.withLock { state -> Batch?? in
                if wasBusy {
                    state.busy -= 1
                    wasBusy = false
                }
                if state.stopped { return .some(nil) }
                guard !state.pending.isEmpty else {
                    state.sleepers += 1
                    return nil
                }
                var taken = 0
                var commands = 0
                while taken < state.pending.count, taken == 0 || commands + state.pending[taken].commands.count <= Self.batchLimit {
                    commands += state.pending[taken].commands.count
                    taken += 1
                }
                let jobs: [RedisJob]
                if taken == state.pending.count {
                    jobs = state.pending
                    state.pending.removeAll(keepingCapacity: true)
                } else {
                    jobs = Array(state.pending.prefix(taken))
                    state.pending.removeFirst(taken)
                }
                state.busy += 1
                let down = state.downUntil.flatMap { now < $0 ? state.lastFailure : nil }
                return .some(Batch(jobs: jobs, generation: state.generation, down: down))
            }
            switch batch {
            case .some(let batch): return batch
            case .none: wakeup.wait()
            }
        }
    }

    /// Stops the workers and fails every queued call.
    /// Stops the dispatcher; `false` when it had been stopped already.
    @discardableResult
    func stop() -> Bool {
        let (jobs, sleepers, first) = state.withLock { state in
            let first = !state.stopped
            state.stopped = true
            defer {
                state.pending.removeAll()
                state.sleepers = 0
            }
            return (state.pending, state.sleepers, first)
        }
        for job in jobs { job.fail("the Redis client is shutting down") }
        for _ in 0..<sleepers { wakeup.signal() }
        return first
    }

    func opened() {
        state.withLock { $0.connections += 1 }
    }

    func closed() {
        state.withLock { $0.connections -= 1 }
    }

    /// Retires every open connection and makes calls fail fast for the retry interval.
    func recordFailure(_ reason: String) {
        state.withLock { state in
            state.generation += 1
            state.downUntil = ContinuousClock.now + settings.retryInterval
            state.lastFailure = reason
        }
        logger.warning("redis unavailable", metadata: ["error": "\(reason)", "url": "\(settings.redactedURL)"])
    }
}

/// One pool thread's loop and its connection; used by that thread only.
private final class RedisWorker {
    private let core: RedisDispatcher
    private var connection: (RedisConnection, generation: Int)?

    init(core: RedisDispatcher) {
        self.core = core
    }

    func run() {
        var busy = false
        while let batch = core.take(finishing: busy) {
            busy = true
            process(batch)
        }
        if connection != nil {
            connection = nil
            core.closed()
        }
    }

    private func process(_ batch: RedisDispatcher.Batch) {
        let now = ContinuousClock.now
        var live: [RedisJob] = []
        live.reserveCapacity(batch.jobs.count)
        for job in batch.jobs {
            if job.deadline < now {
                job.fail("no answer within \(core.settings.operationTimeout)")
            } else {
                live.append(job)
            }
        }
        guard !live.isEmpty else { return }
        if let (_, generation) = connection, generation != batch.generation { drop() }
        let commands = live.count == 1 ? live[0].commands : live.flatMap(\.commands)
        do {
            let replies = try send(commands, batch: batch)
            var index = 0
            for job in live {
                let end = index + job.commands.count
                job.continuation.resume(returning: index == 0 && end == replies.count ? replies : Array(replies[index..<end]))
                index = end
            }
        } catch {
            let failure = unavailable(error)
            for job in live { job.continuation.resume(throwing: failure) }
        }
    }

    /// Sends on this thread's connection, opening one if needed; a connection the server closed is replaced once.
    private func send(_ commands: [RedisCommand], batch: RedisDispatcher.Batch) throws -> [RedisReply] {
        if let (open, _) = connection {
            do {
                return try open.pipeline(commands)
            } catch let failure as RedisConnectionFailure where failure.serverClosed {
                core.logger.debug("redis closed a pooled connection; reconnecting", metadata: ["error": "\(failure.message)"])
                drop()
            } catch {
                drop()
                core.recordFailure(unavailable(error).reason)
                throw error
            }
        } else if let down = batch.down {
            throw UnavailableError(dependency: "redis", reason: down)
        }
        do {
            let open = try RedisConnection.open(core.settings)
            connection = (open, batch.generation)
            core.opened()
            return try open.pipeline(commands)
        } catch {
            drop()
            core.recordFailure(unavailable(error).reason)
            throw error
        }
    }

    private func drop() {
        guard connection != nil else { return }
        connection = nil
        core.closed()
    }

    private func unavailable(_ error: any Error) -> UnavailableError {
        switch error {
        case let error as UnavailableError: error
        case let failure as RedisConnectionFailure: UnavailableError(dependency: "redis", reason: failure.message)
        default: UnavailableError(dependency: "redis", reason: "\(error)")
        }
    }
}
