import NIOCore
import NIOPosix
import Synchronization

/// A plan run over ``PlainHTTPConnection``s from the event loops themselves, as wrk2 does: no task, timer or executor
/// hop per request.
///
/// Closed loop: each connection sends its next request when the last one is answered. Open loop: a timer on the first
/// connection's loop hands every request that has fallen due to an idle connection (hopping to that connection's
/// loop); while none is idle the timer rests, and each connection that finishes takes the next request itself, at once
/// if it is due (late, when its time has passed), so nothing queues however long the server stalls.
/// Either way latency runs from the time a request was due (open loop) or sent (closed loop), as in
/// ``LoadRunner``.
final class PlainLoadRun: Sendable {
    private let plan: LoadPlan
    private let start: ContinuousClock.Instant
    private let deadline: ContinuousClock.Instant?
    private let connections: [PlainHTTPConnection]
    private let state = Mutex(State())
    private let done: EventLoopPromise<Void>

    private struct State: Sendable {
        /// Requests taken (numbered 1, 2, ...).
        var issued = 0
        /// Taken and not yet finished, waiting ones included.
        var unfinished = 0
        /// No request will be taken any more.
        var exhausted = false
        /// Open loop: connections without a request, and whether the timer is set.
        var idle: [Int] = []
        var timerSet = false
        var report = LoadReport()
        var completed = false
    }

    private init(plan: LoadPlan, connections: [PlainHTTPConnection], start: ContinuousClock.Instant) {
        self.plan = plan
        self.start = start
        self.deadline = plan.duration.map { start + $0 }
        self.connections = connections
        self.done = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
    }

    /// Opens the plan's connections, 128 at a time, then runs it to its bound from then on; cancelling the task stops
    /// taking new requests, and those in flight finish. Connections that fail to open are opened again by their first
    /// request, which reports the failure; after a wave with a failure the rest are not opened ahead.
    static func run(_ plan: LoadPlan, target: PlainHTTPConnection.Target) async -> LoadReport {
        let group = MultiThreadedEventLoopGroup.singleton
        let connections = (0..<plan.workers).map { _ in PlainHTTPConnection(plan: plan, target: target, eventLoop: group.next()) }
        for wave in stride(from: 0, to: connections.count, by: 128) {
            let opened = connections[wave..<min(wave + 128, connections.count)].map { connection in
                connection.eventLoop.flatSubmit { connection.open() }
            }
            var failed = false
            for future in opened {
                do { try await future.get() } catch { failed = true }
            }
            if failed || Task.isCancelled { break }
        }
        return await PlainLoadRun(plan: plan, connections: connections, start: .now).run()
    }

    private func run() async -> LoadReport {
        if plan.rate == nil {
            for index in connections.indices {
                connections[index].eventLoop.execute { self.sendNext(on: index) }
            }
        } else {
            state.withLock { $0.idle = Array(connections.indices.reversed()) }
            connections[0].eventLoop.execute { self.schedule() }
        }
        await withTaskCancellationHandler {
            try? await done.futureResult.get()
        } onCancel: {
            self.stop()
        }
        for connection in connections { connection.eventLoop.execute { connection.close() } }
        return state.withLock { state in
            state.report.elapsed = ContinuousClock.now - start
            state.report.rate = plan.rate
            return state.report
        }
    }

    /// The next request number and when it is due, if the plan's bounds allow one more (call under the lock).
    private func take(_ state: inout State, dueBy now: ContinuousClock.Instant) -> (seq: Int, due: ContinuousClock.Instant?)?? {
        guard !state.exhausted else { return .some(nil) }
        let seq = state.issued + 1
        let due = plan.intendedStart(seq: seq, from: start)
        let over: Bool
        if let limit = plan.requests, seq > limit {
            over = true
        } else if let deadline {
            over = (due ?? now) >= deadline
        } else {
            over = false
        }
        if over {
            state.exhausted = true
            return .some(nil)
        }
        if let due, due > now { return nil }  // not yet due
        state.issued = seq
        state.unfinished += 1
        return .some((seq, due))
    }

    /// Closed loop: the connection's next request, or nothing when the plan is done.
    private func sendNext(on index: Int) {
        let next = state.withLock { state in take(&state, dueBy: .now) ?? nil }
        guard let (seq, _) = next else { return finishIfDone() }
        send(seq: seq, due: nil, on: index)
    }

    /// Open loop, when the timer fires: hands every request due by now to an idle connection, then sets the timer for
    /// the next one, unless no connection is idle (a finishing one takes the next request then).
    private func schedule() {
        let now = ContinuousClock.now
        var handed: [(seq: Int, due: ContinuousClock.Instant, connection: Int)] = []
        let next: ContinuousClock.Instant? = state.withLock { state in
            state.timerSet = false
            while !state.idle.isEmpty {
                switch take(&state, dueBy: now) {
                case .some(.some(let (seq, due))):
                    handed.append((seq, due ?? now, state.idle.removeLast()))
                case .some(.none):
                    return nil
                case .none:
                    state.timerSet = true
                    return plan.intendedStart(seq: state.issued + 1, from: start)
                }
            }
            return nil
        }
        for (seq, due, index) in handed {
            connections[index].eventLoop.execute { self.send(seq: seq, due: due, on: index) }
        }
        if let next { setTimer(for: next) } else { finishIfDone() }
    }

    private func setTimer(for due: ContinuousClock.Instant) {
        let delay = LoadRunner.timeAmount(due - ContinuousClock.now)
        connections[0].eventLoop.scheduleTask(in: max(.zero, delay)) { self.schedule() }
    }

    private func send(seq: Int, due: ContinuousClock.Instant?, on index: Int) {
        var generator = SystemRandomNumberGenerator()
        let url = plan.url(seq: seq, using: &generator)
        let sent = ContinuousClock.now
        if let due { state.withLock { $0.report.record(lag: sent - due) } }
        connections[index].send(url) { result in
            let now = ContinuousClock.now
            let (next, timer): ((seq: Int, due: ContinuousClock.Instant)?, ContinuousClock.Instant?) = self.state.withLock { state in
                switch result {
                case .success(let status): state.report.record(status: status, latency: now - (due ?? sent))
                case .failure(let error): state.report.record(transportError: LoadRunner.errorKind(error))
                }
                state.unfinished -= 1
                guard self.plan.rate != nil else { return (nil, nil) }
                switch self.take(&state, dueBy: now) {
                case .some(.some(let (seq, due))):
                    return ((seq, due ?? now), nil)
                case .some(.none):
                    return (nil, nil)
                case .none:
                    state.idle.append(index)
                    guard !state.timerSet else { return (nil, nil) }
                    state.timerSet = true
                    return (nil, self.plan.intendedStart(seq: state.issued + 1, from: self.start))
                }
            }
            if self.plan.rate == nil {
                self.sendNext(on: index)
            } else if let next {
                self.send(seq: next.seq, due: next.due, on: index)
            } else if let timer {
                self.setTimer(for: timer)
            } else {
                self.finishIfDone()
            }
        }
    }

    /// Stops taking requests (cancellation); the ones sent finish.
    private func stop() {
        state.withLock { $0.exhausted = true }
        finishIfDone()
    }

    private func finishIfDone() {
        let finished = state.withLock { state in
            guard state.exhausted, state.unfinished == 0, !state.completed else { return false }
            state.completed = true
            return true
        }
        if finished { done.succeed() }
    }
}
