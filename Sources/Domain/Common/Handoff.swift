import Synchronization

/// Passes elements from a producing task to one consuming task, one at a time, with backpressure: ``send(_:)``
/// returns only once the consumer has handled the element, and throws what the consumer threw.
///
/// Ports hand data to `@Sendable` callbacks that run in the adapter's task (a Postgres connection's, for example).
/// A use case that takes a caller's closure runs that closure on the caller's isolation instead: the port's callback
/// sends here and the use case, on the caller's isolation, takes each element with ``next()`` and calls the closure,
/// so the closure needs not be `@Sendable` and may change the caller's state.
final class Handoff<Element: Sendable>: Sendable {
    /// An element waiting for the consumer, with the producer waiting for its outcome.
    struct Offer: Sendable {
        /// The element.
        let element: Element
        fileprivate let handled: CheckedContinuation<Void, any Error>

        /// Tells the producer the element was handled; `send` returns.
        func accept() { handled.resume() }

        /// Tells the producer the consumer failed on the element; `send` throws `error`.
        func reject(_ error: any Error) { handled.resume(throwing: error) }
    }

    private struct State {
        var offers: [Offer] = []
        var consumer: CheckedContinuation<Offer?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Creates an open handoff.
    init() {}

    /// Waits until the consumer has handled `element`. Throws the consumer's error, or `CancellationError` when the
    /// producing task is cancelled or the handoff is closed before the element was taken.
    func send(_ element: Element) async throws {
        try Task.checkCancellation()
        try await withCheckedThrowingContinuation { (handled: CheckedContinuation<Void, any Error>) in
            let offer = Offer(element: element, handled: handled)
            let waiting: CheckedContinuation<Offer?, Never>?? = state.withLock { state in
                if state.closed { return .some(nil) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .some(consumer)
                }
                state.offers.append(offer)
                return .none
            }
            switch waiting {
            case .some(.some(let consumer)): consumer.resume(returning: offer)
            case .some(.none): offer.reject(CancellationError())
            case .none: break
            }
        }
    }

    /// The next element with its producer waiting, or `nil` once the handoff is closed. One consumer at a time.
    func next() async -> Offer? {
        await withCheckedContinuation { (consumer: CheckedContinuation<Offer?, Never>) in
            let ready: Offer?? = state.withLock { state in
                if !state.offers.isEmpty { return .some(state.offers.removeFirst()) }
                if state.closed { return .some(nil) }
                state.consumer = consumer
                return .none
            }
            if let ready { consumer.resume(returning: ready) }
        }
    }

    /// Ends the handoff: a waiting consumer gets `nil`, and elements not yet taken are refused.
    func close() {
        let (consumer, refused) = state.withLock { state in
            state.closed = true
            defer {
                state.consumer = nil
                state.offers = []
            }
            return (state.consumer, state.offers)
        }
        consumer?.resume(returning: nil)
        for offer in refused { offer.reject(CancellationError()) }
    }
}
