import HTTPTypes
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOSSL
import NIOTLS

/// Hummingbird's TLS channel (HTTP/2 offered by ALPN, HTTP/1.1 otherwise) with the connection rules of
/// ``GuardedHTTP1Channel``: a TLS handshake must end within the header timeout; on HTTP/1.1 the ``ConnectionGuard``
/// (header and idle timeouts) sits right after the TLS handler, where it sees the request's bytes, and parser errors
/// get problems; an HTTP/2 connection without open streams is closed after the idle timeout; a connection over the cap
/// completes its handshake and gets a 503 problem (HTTP/1.1) or is closed (HTTP/2).
struct GuardedTLSChannel: ServerChildChannel {
    /// What ALPN chose, with the channel value of that protocol.
    enum Negotiated: Sendable {
        case http1(HTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    struct Value: ServerChildChannelValue {
        /// `nil` for a refused connection.
        let negotiated: EventLoopFuture<Negotiated>?
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let connections: ConnectionCount
    let context: NIOSSLContext
    let http2: HTTP2Channel

    init(responder: @escaping HTTPChannelHandler.Responder, tls: TLSConfiguration, limits: ConnectionLimits) throws {
        var tls = tls
        tls.applicationProtocols = ["h2", "http/1.1"]
        self.responder = responder
        self.limits = limits
        self.connections = ConnectionCount()
        self.context = try NIOSSLContext(configuration: tls)
        let idle = Duration.nanoseconds(limits.idleTimeout.nanoseconds)
        self.http2 = HTTP2Channel(
            responder: responder,
            configuration: .init(idleTimeout: idle, streamConfiguration: .init(additionalChannelHandlers: [ConnectionHeaderRemover()])))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let (limits, responder, http2) = (self.limits, self.responder, self.http2)
        let admitted = connections.enter(limit: limits.maxConnections)
        if admitted {
            let connections = self.connections
            channel.closeFuture.whenComplete { _ in connections.leave() }
        }
        let refusal =
            admitted
            ? nil
            : Problem(.serviceUnavailable, detail: "the server holds its maximum of \(limits.maxConnections) connections; retry shortly")
        return channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(NIOSSLServerHandler(context: context))
            try operations.addHandler(TLSHandshakeGuard(limits: limits, refusal: refusal))
            guard admitted else { return Value(negotiated: nil, channel: channel) }
            let negotiation = NIOTypedApplicationProtocolNegotiationHandler<Negotiated> { result, channel in
                switch result {
                case .negotiated("h2"):
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SilenceWatchdog(limit: limits.idleTimeout * 2))
                    }.flatMap {
                        http2.setup(channel: channel, logger: logger).map { .http2($0) }
                    }
                case .negotiated("http/1.1"), .fallback:
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits))
                    }.flatMap {
                        HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [HTTPExchangeObserver()]))
                            .setup(channel: channel, logger: logger)
                    }.flatMapThrowing { value in
                        let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                        try channel.pipeline.syncOperations.addHandler(HTTPVersionCheck(), position: .after(decoder))
                        return .http1(value)
                    }
                case .negotiated:
                    return channel.close().flatMapThrowing { throw ChannelError.inappropriateOperationForState }
                }
            }
            try operations.addHandler(negotiation)
            return Value(negotiated: negotiation.protocolNegotiationResult, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard let negotiated = value.negotiated else {
            try? await value.channel.closeFuture.get()
            return
        }
        do {
            switch try await negotiated.get() {
            case .http1(let http1):
                await HTTP1Channel(responder: responder).handle(value: http1, logger: logger)
            case .http2(let connection):
                await http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("TLS connection ended before a protocol was chosen: \(error)")
        }
    }
}

/// Sits after the TLS handler until the handshake ends: closes a connection whose handshake is not complete within the
/// header timeout (a client that connects and sends nothing, or a byte a second, cannot hold it). For a connection over
/// the cap it answers the 503 problem once the handshake is done (HTTP/1.1; an HTTP/2 client is closed).
final class TLSHandshakeGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let limits: ConnectionLimits
    private let refusal: Problem?
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits, refusal: Problem?) {
        self.limits = limits
        self.refusal = refusal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: limits.headerTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event else {
            return context.fireUserInboundEventTriggered(event)
        }
        timer?.cancel()
        timer = nil
        if let refusal {
            guard negotiated != "h2" else { return context.close(promise: nil) }
            // ConnectionGuard answers at once when added to an active channel, then closes.
            try? context.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, refusal: refusal), position: .after(self))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension TLSHandshakeGuard: Sendable {}

/// Removes `Connection` from responses on an HTTP/2 stream: HTTP/2 forbids connection-specific fields (RFC 9113
/// §8.2.2), and the stream would be reset instead of answered (a 413 asks HTTP/1.1 clients to close).
final class ConnectionHeaderRemover: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.headerFields[.connection] != nil else {
            return context.write(data, promise: promise)
        }
        head.headerFields[.connection] = nil
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}

@available(*, unavailable)
extension ConnectionHeaderRemover: Sendable {}

/// Closes an HTTP/2 connection on which nothing was read or written for `limit`. Hummingbird's idle timeout only starts
/// a graceful close (GOAWAY and a PING) that waits for the client's answer, so a client that never answers would keep
/// the connection: this is the hard stop behind it (twice the idle timeout).
final class SilenceWatchdog: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: TimeAmount
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        schedule(context, at: lastActivity + limit)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = .now()
        context.write(data, promise: promise)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            let due = self.lastActivity + self.limit
            if due <= .now() {
                context.close(promise: nil)
            } else {
                self.schedule(context, at: due)
            }
        }
    }
}

@available(*, unavailable)
extension SilenceWatchdog: Sendable {}

extension HTTPServerBuilder {
    /// TLS with HTTP/2 by ALPN, with ``GuardedTLSChannel``.
    static func guardedTLS(_ tls: TLSConfiguration, limits: ConnectionLimits) -> HTTPServerBuilder {
        .init { responder in try GuardedTLSChannel(responder: responder, tls: tls, limits: limits) }
    }
}
