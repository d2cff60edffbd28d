import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// How long a connection may take and how many may be open (``AssayConfiguration``: header and idle timeouts,
/// connection cap).
struct ConnectionLimits: Sendable {
    /// From a request's first byte to its complete head.
    var headerTimeout: TimeAmount
    /// Waiting for a request, on a new or a kept-alive connection.
    var idleTimeout: TimeAmount
    /// Open connections at most; one more is answered 503 and closed.
    var maxConnections: Int

    init(_ configuration: AssayConfiguration) {
        headerTimeout = .nanoseconds(Int64(configuration.headerTimeoutSeconds * 1e9))
        idleTimeout = .nanoseconds(Int64(configuration.idleTimeoutSeconds * 1e9))
        maxConnections = configuration.maxConnections
    }

    var headerTimeoutDescription: String {
        let seconds = Double(headerTimeout.nanoseconds) / 1e9
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

/// Hummingbird's HTTP/1.1 child channel with Assay's connection rules in front: ``ConnectionGuard`` first in the
/// pipeline, ``HTTPExchangeObserver`` after the HTTP codec, and the connection cap. A connection over the cap is
/// answered with a 503 problem and closed, rather than left unaccepted in the listen backlog where the client cannot
/// tell a full server from a slow one.
struct GuardedHTTP1Channel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case http(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .http(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let connections: ConnectionCount

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits) {
        self.responder = responder
        self.limits = limits
        self.connections = ConnectionCount()
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let limits = self.limits
        guard connections.enter(limit: limits.maxConnections) else {
            let problem = Problem(
                .serviceUnavailable, detail: "the server holds its maximum of \(limits.maxConnections) connections; retry shortly")
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, refusal: problem))
                return .refused(channel)
            }
        }
        let connections = self.connections
        channel.closeFuture.whenComplete { _ in connections.leave() }
        let http = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [HTTPExchangeObserver()]))
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits))
        }.flatMap {
            http.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(HTTPVersionCheck(), position: .after(decoder))
            return .http(value)
        }
    }

    func handle(value: Value, logger: Logger) async {
        switch value {
        case .http(let channel):
            await HTTP1Channel(responder: responder).handle(value: channel, logger: logger)
        case .refused(let channel):
            try? await channel.closeFuture.get()
        }
    }
}

/// Open connections, shared by every event loop.
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts one more connection unless `limit` are open; `false` when refused.
    func enter(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// One connection closed.
    func leave() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    var current: Int { open.load(ordering: .relaxed) }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with ``GuardedHTTP1Channel``.
    static func guardedHTTP1(limits: ConnectionLimits) -> HTTPServerBuilder {
        .init { responder in GuardedHTTP1Channel(responder: responder, limits: limits) }
    }
}
