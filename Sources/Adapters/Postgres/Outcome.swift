import Synchronization

/// The first result handed to it, delivered exactly once to the one continuation waiting for it (which may start
/// waiting before or after the result arrives).
///
/// An operation can claim it (``claim()``): from then on only ``finish(_:)`` delivers, and ``expire(_:)`` (a passed
/// deadline) is ignored, so the waiter waits for the operation whatever its length.
final class Outcome<Value: Sendable>: Sendable {
    private enum Delivery {
        case empty
        case waiting(CheckedContinuation<Value, any Error>)
        case finished(Result<Value, any Error>)
        case delivered
    }

    private struct State {
        var delivery = Delivery.empty
        var claimed = false
    }

    private let state = Mutex(State())

    func wait(with continuation: CheckedContinuation<Value, any Error>) {
        let ready: Result<Value, any Error>? = state.withLock { state in
            guard case .finished(let result) = state.delivery else {
                state.delivery = .waiting(continuation)
                return nil
            }
            state.delivery = .delivered
            return result
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// The operation's own result.
    func finish(_ result: Result<Value, any Error>) {
        deliver(result, unlessClaimed: false)
    }

    /// A passed deadline's error, unless the operation claimed the outcome first; `true` when it took effect.
    @discardableResult
    func expire(_ error: any Error) -> Bool {
        deliver(.failure(error), unlessClaimed: true)
    }

    /// Makes the waiter wait for ``finish(_:)`` alone; `false` when a result was handed over already (the deadline
    /// passed), in which case the caller has gone and the operation must stop.
    func claim() -> Bool {
        state.withLock { state in
            switch state.delivery {
            case .empty, .waiting:
                state.claimed = true
                return true
            case .finished, .delivered:
                return false
            }
        }
    }

    /// Hands `result` over unless one was already (or, with `unlessClaimed`, the outcome is claimed); `true` when it
    /// took effect.
    @discardableResult
    private func deliver(_ result: Result<Value, any Error>, unlessClaimed: Bool) -> Bool {
        let (taken, waiting): (Bool, CheckedContinuation<Value, any Error>?) = state.withLock { state in
            if unlessClaimed, state.claimed { return (false, nil) }
            switch state.delivery {
            case .empty:
                state.delivery = .finished(result)
                return (true, nil)
            case .waiting(let continuation):
                state.delivery = .delivered
                return (true, continuation)
            case .finished, .delivered:
                return (false, nil)
            }
        }
        waiting?.resume(with: result)
        return taken
    }
}
