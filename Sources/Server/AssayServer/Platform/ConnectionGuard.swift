import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The first handler of an HTTP/1.1 connection: it sees every byte, so it tells a silent connection from one sending a
/// request slowly, and closes either when its time is up.
///
/// - Waiting for a request (after connecting, or after a response on a kept-alive connection): closed after the idle
///   timeout, silently (RFC 9112 §9.8 lets a server close an idle connection).
/// - A request's first byte arrived but its head is not complete: after the header timeout the client gets a 408
///   problem and the connection is closed: a client sending a byte a second cannot hold it open.
/// - A request is being answered: no timer here (the body limit and the routes govern it).
///
/// Closing answers first, then shuts the sending side and drops whatever the client still sends for a short while
/// before closing for good: closing with unread bytes would reset the connection and could destroy the answer
/// before the client reads it.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase {
        case idle
        case readingHead(requestLineEnded: Bool)
        case busy
        case closing
    }

    private let limits: ConnectionLimits
    /// The answer of a connection refused at once (over the cap), sent as soon as the connection is active.
    private let refusal: Problem?
    private var phase = Phase.idle
    private var inFlight = 0
    private var timer: Scheduled<Void>?
    /// How long a closing connection drops what the client still sends.
    static let linger = TimeAmount.seconds(2)

    init(limits: ConnectionLimits, refusal: Problem? = nil) {
        self.limits = limits
        self.refusal = refusal
    }

    /// Whether the current request's first line is complete (a header overflow before it is an overlong URL).
    var requestLineEnded: Bool {
        if case .readingHead(let ended) = phase { return ended }
        return true
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard let refusal else { return becomeIdle(context) }
        context.write(wrapOutboundOut(.byteBuffer(refusal.rawHTTP1Response(allocator: context.channel.allocator))), promise: nil)
        closeAfterFlush(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .closing:
            return  // dropped: the answer is out, the connection is going
        case .idle:
            phase = .readingHead(requestLineEnded: false)
            schedule(context, after: limits.headerTimeout) { guardHandler, context in guardHandler.headerTimedOut(context) }
            fallthrough
        case .readingHead(false):
            let buffer = unwrapInboundIn(data)
            if buffer.readableBytesView.contains(UInt8(ascii: "\n")) { phase = .readingHead(requestLineEnded: true) }
        case .readingHead(true), .busy:
            break
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .closing = phase, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A request head was decoded.
    func headReceived() {
        inFlight += 1
        if case .closing = phase { return }
        phase = .busy
        cancelTimer()
    }

    /// A response was written to its end.
    func responseEnded(context: ChannelHandlerContext) {
        inFlight = max(0, inFlight - 1)
        if inFlight == 0, case .busy = phase { becomeIdle(context) }
    }

    /// Sends what is written so far, shuts the sending side, drops input until the client closes or ``linger`` passes,
    /// then closes.
    func closeAfterFlush(context: ChannelHandlerContext) {
        if case .closing = phase { return }
        phase = .closing
        cancelTimer()
        let channel = context.channel
        context.flush()
        channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        schedule(context, after: Self.linger) { _, context in context.close(promise: nil) }
    }

    private func headerTimedOut(_ context: ChannelHandlerContext) {
        guard case .readingHead = phase else { return }
        let problem = Problem(
            .requestTimeout, detail: "the request head was not complete within \(limits.headerTimeoutDescription); send it at once")
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(problem.rawHTTP1Response(allocator: context.channel.allocator))), promise: nil)
        closeAfterFlush(context: context)
    }

    private func becomeIdle(_ context: ChannelHandlerContext) {
        phase = .idle
        schedule(context, after: limits.idleTimeout) { guardHandler, context in
            if case .idle = guardHandler.phase { context.close(promise: nil) }
        }
    }

    private func schedule(
        _ context: ChannelHandlerContext, after delay: TimeAmount, _ fire: @escaping (ConnectionGuard, ChannelHandlerContext) -> Void
    ) {
        cancelTimer()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.timer = nil
            fire(self, context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

/// Sits after the HTTP codec: tells ``ConnectionGuard`` where requests and responses begin and end, closes the
/// connection after a response that says `Connection: close` (a 413 sent before the body was read), and answers
/// errors of the HTTP parser with a problem (a bare 400 otherwise) before closing.
final class HTTPExchangeObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var connectionGuard: ConnectionGuard?
    private var inFlight = 0
    private var closeAfterResponse = false
    private var answeredParserError = false

    func handlerAdded(context: ChannelHandlerContext) {
        connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if answeredParserError { return }
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            connectionGuard?.headReceived()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            inFlight = max(0, inFlight - 1)
            connectionGuard?.responseEnded(context: context)
            if closeAfterResponse, inFlight == 0 { closeConnection(context) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, inFlight == 0, !answeredParserError else {
            context.fireErrorCaught(error)
            return
        }
        answeredParserError = true
        let problem = Self.problem(for: parserError, requestLineEnded: connectionGuard?.requestLineEnded ?? true)
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        fields[.connection] = "close"
        let body = problem.jsonBody(allocator: context.channel.allocator)
        fields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: problem.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        closeConnection(context)
    }

    private func closeConnection(_ context: ChannelHandlerContext) {
        if let connectionGuard {
            connectionGuard.closeAfterFlush(context: context)
        } else {
            context.flush()
            context.close(promise: nil)
        }
    }

    /// The problem for what the parser refused.
    static func problem(for error: HTTPParserError, requestLineEnded: Bool) -> Problem {
        switch error {
        case .headerOverflow where !requestLineEnded:
            return Problem(.uriTooLong, detail: "the request line is longer than the server accepts")
        case .headerOverflow:
            return Problem(.requestHeaderFieldsTooLarge, detail: "the request's header fields are larger than the server accepts")
        case .invalidMethod:
            return Problem(.notImplemented, detail: "the request method is not one this server knows")
        case .invalidVersion:
            return Problem(.httpVersionNotSupported, detail: "the server speaks HTTP/1.0 and HTTP/1.1 on this port")
        case .unexpectedContentLength:
            return Problem(.badRequest, detail: "Content-Length is given twice, or together with Transfer-Encoding; give one framing")
        case .invalidContentLength:
            return Problem(.badRequest, detail: "Content-Length must be given once, as a non-negative integer")
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidCharactersUsed:
            return Problem(.badRequest, detail: "the request target is not a valid URL")
        default:
            return Problem(.badRequest, detail: "the request is not valid HTTP/1.1 (\(error))")
        }
    }
}

@available(*, unavailable)
extension HTTPExchangeObserver: Sendable {}

extension Problem {
    /// The problem's JSON document.
    func jsonBody(allocator: ByteBufferAllocator) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data(#"{"status":\#(status.code)}"#.utf8)
        return allocator.buffer(bytes: data)
    }

    /// A complete HTTP/1.1 response carrying the problem, for handlers below the HTTP codec; it asks to close.
    func rawHTTP1Response(allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = jsonBody(allocator: allocator)
        var buffer = allocator.buffer(capacity: body.readableBytes + 160)
        buffer.writeString(
            "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\ncontent-type: application/problem+json\r\n"
                + "connection: close\r\ncontent-length: \(body.readableBytes)\r\n\r\n")
        buffer.writeImmutableBuffer(body)
        return buffer
    }
}

/// Refuses request heads of an HTTP version other than 1.x that the parser lets through (0.9, 2.0 without a preface) as
/// the parser's own invalid-version error, so ``HTTPExchangeObserver`` answers them with a 505 problem.
final class HTTPVersionCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        if case .head(let head) = unwrapInboundIn(data), head.version.major != 1 {
            refused = true
            context.fireErrorCaught(HTTPParserError.invalidVersion)
            return
        }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension HTTPVersionCheck: Sendable {}
