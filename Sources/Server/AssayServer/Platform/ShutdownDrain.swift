public import Logging
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// The pause between a shutdown signal and the server's stop, in which a load balancer learns to send requests
/// elsewhere (`ASSAY_DRAIN_SECONDS`).
///
/// Run it as a service after the application in one `ServiceGroup`: a graceful shutdown reaches the last service
/// first, so the drain starts, `/ready` answers 503 and every response says `Connection: close` (a balancer's kept-alive
/// connection is not reused) for ``seconds``; only then does the application stop accepting connections and finish the
/// requests in flight. Without a balancer (0 seconds, the default) the server stops at once, as before.
public final class ShutdownDrain: Service, Sendable {
    /// How long the server keeps answering while it reports itself not ready.
    public let seconds: Double
    private let logger: Logger
    private let draining = Atomic<Bool>(false)

    /// A drain of `seconds` that has not begun.
    public init(seconds: Double, logger: Logger = Logger(label: "assay")) {
        self.seconds = seconds
        self.logger = logger
    }

    /// Whether the server is shutting down: `/ready` fails and connections close after their response.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Starts draining now.
    public func begin() {
        draining.store(true, ordering: .relaxed)
    }

    /// Waits for the graceful shutdown, then drains for ``seconds`` and returns, which lets the group stop the application.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is going down without a graceful shutdown
        }
        begin()
        guard seconds > 0 else { return }
        logger.notice("shutting down: /ready answers 503 while the load balancer drains", metadata: ["drain_seconds": "\(seconds)"])
        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
    }
}

extension ShutdownDrain {
    /// Runs `app` until SIGTERM or SIGINT, then drains for ``seconds`` before the application stops.
    public func serve(_ app: some Service, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(services: [app, self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
