import AssayDomain
public import Logging
import NIOPosix
import Synchronization

/// A small pool of blocking hiredis connections on dedicated threads, with pipelining across callers.
///
/// hiredis blocks, so its calls run on a `NIOThreadPool` of ``RedisSettings/poolSize`` threads, never on an
/// event loop or the Swift cooperative pool: a caller's task suspends on a continuation while a pool thread works.
/// Calls queue as jobs; a pool thread takes every waiting job (up to a batch limit), sends all their commands in
/// one pipeline on one connection, and hands each job its replies. Under load, many requests share a round trip.
///
/// Failures: a connect or I/O error (timeouts included) drops that connection and every idle one, and for
/// ``RedisSettings/retryInterval`` calls fail at once with ``UnavailableError`` instead of each waiting to connect;
/// the next call after that connects again, so the client recovers by itself when Redis returns. A job still
/// queued after ``RedisSettings/operationTimeout`` fails as unavailable. A command on a pooled connection that
/// the server had closed (say, after a Redis restart) is sent once more on a new connection: it never ran.
public final class RedisClient: Sendable {
    /// The connection settings.
    public let settings: RedisSettings
    private let threads: NIOThreadPool
    private let state: Mutex<State>
    private let logger: Logger

    /// Most commands sent in one pipeline.
    static let batchLimit = 1_024

    private struct Job: Sendable {
        let commands: [RedisCommand]
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<[RedisReply], any Error>
    }

    private struct State: Sendable {
        var pending: [Job] = []
        var idle: [(connection: RedisConnection, generation: Int)] = []
        /// Bumped on every failure; connections of older generations are not reused.
        var generation = 0
        var downUntil: ContinuousClock.Instant?
        var lastFailure = ""
    }

    private enum Lease {
        case pooled(RedisConnection, generation: Int)
        case connect(generation: Int)
        case down(String)
    }

    /// Starts the pool's threads; connections open on first use. The threads stop when the client is released.
    public init(settings: RedisSettings, logger: Logger = Logger(label: "assay-redis")) {
        self.settings = settings
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: settings.poolSize)
        self.state = Mutex(State())
        threads.start()
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    /// Sends `commands` in one pipeline (possibly with other callers' commands) and returns one reply per
    /// command, in order. Error replies are returned, not thrown; connection failures throw ``UnavailableError``.
    public func execute(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let deadline = ContinuousClock.now + settings.operationTimeout
        return try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.pending.append(Job(commands: commands, deadline: deadline, continuation: continuation)) }
            threads.submit { [self] work in
                if case .active = work { drain() } else { failAll("the Redis client is shutting down") }
            }
        }
    }

    /// Checks that Redis answers `PING`.
    public func ping() async throws {
        let reply = try await execute([[Array("PING".utf8)]])
        guard case .status("PONG") = try reply.first?.checked() else { throw RedisCommandError("unexpected PING reply \(reply)") }
    }

    /// Runs on a pool thread: takes the waiting jobs and sends them in one pipeline.
    private func drain() {
        let now = ContinuousClock.now
        let (jobs, lease, stale) = state.withLock { state -> ([Job], Lease?, [RedisConnection]) in
            var taken = 0
            var commands = 0
            while taken < state.pending.count, taken == 0 || commands + state.pending[taken].commands.count <= Self.batchLimit {
                commands += state.pending[taken].commands.count
                taken += 1
            }
            guard taken > 0 else { return ([], nil, []) }
            let jobs = Array(state.pending.prefix(taken))
            state.pending.removeFirst(taken)
            var stale: [RedisConnection] = []
            while let entry = state.idle.popLast() {
                if entry.generation == state.generation { return (jobs, .pooled(entry.connection, generation: entry.generation), stale) }
                stale.append(entry.connection)
            }
            if let downUntil = state.downUntil, now < downUntil { return (jobs, .down(state.lastFailure), stale) }
            return (jobs, .connect(generation: state.generation), stale)
        }
        _ = stale  // released (and closed) here, outside the lock
        guard let lease else { return }

        var live: [Job] = []
        for job in jobs {
            if job.deadline < now {
                job.continuation.resume(throwing: UnavailableError(dependency: "redis", reason: "no answer within \(settings.operationTimeout)"))
            } else {
                live.append(job)
            }
        }
        guard !live.isEmpty else {
            if case .pooled(let connection, let generation) = lease { giveBack(connection, generation: generation) }
            return
        }
        let commands = live.flatMap(\.commands)
        do {
            let (connection, generation, replies) = try send(commands, on: lease)
            var index = 0
            for job in live {
                job.continuation.resume(returning: Array(replies[index..<(index + job.commands.count)]))
                index += job.commands.count
            }
            giveBack(connection, generation: generation)
        } catch {
            let failure = unavailable(error)
            for job in live { job.continuation.resume(throwing: failure) }
        }
    }

    /// Sends on the leased connection (or a new one); a pooled connection the server closed is replaced once.
    private func send(_ commands: [RedisCommand], on lease: Lease) throws -> (RedisConnection, Int, [RedisReply]) {
        switch lease {
        case .down(let reason):
            throw UnavailableError(dependency: "redis", reason: reason)
        case .pooled(let connection, let generation):
            do {
                return (connection, generation, try connection.pipeline(commands))
            } catch let failure as RedisConnectionFailure where failure.serverClosed {
                logger.debug("redis closed a pooled connection; reconnecting", metadata: ["error": "\(failure.message)"])
                return try send(commands, on: .connect(generation: generation))
            } catch {
                recordFailure(error)
                throw error
            }
        case .connect(let generation):
            do {
                let connection = try RedisConnection.open(settings)
                return (connection, generation, try connection.pipeline(commands))
            } catch {
                recordFailure(error)
                throw error
            }
        }
    }

    private func giveBack(_ connection: RedisConnection, generation: Int) {
        state.withLock { state in
            if generation == state.generation, state.idle.count < settings.poolSize {
                state.idle.append((connection, generation))
                state.downUntil = nil
            }
        }
    }

    private func recordFailure(_ error: any Error) {
        let reason = unavailable(error).reason
        let stale = state.withLock { state -> [RedisConnection] in
            state.generation += 1
            state.downUntil = ContinuousClock.now + settings.retryInterval
            state.lastFailure = reason
            defer { state.idle.removeAll() }
            return state.idle.map(\.connection)
        }
        _ = stale
        logger.warning("redis unavailable", metadata: ["error": "\(reason)", "url": "\(settings.redactedURL)"])
    }

    private func failAll(_ reason: String) {
        let jobs = state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
        for job in jobs { job.continuation.resume(throwing: UnavailableError(dependency: "redis", reason: reason)) }
    }

    private func unavailable(_ error: any Error) -> UnavailableError {
        switch error {
        case let error as UnavailableError: error
        case let failure as RedisConnectionFailure: UnavailableError(dependency: "redis", reason: failure.message)
        default: UnavailableError(dependency: "redis", reason: "\(error)")
        }
    }
}
