import NIOCore
import NIOHTTP1
import NIOPosix

/// One kept-alive HTTP/1.1 connection without TLS, a request at a time: what a load worker needs and nothing more.
///
/// async-http-client costs the load tool about 320 µs of CPU per request (its pool, request state machines and
/// streamed body), and on a machine shared with the server that CPU is taken from the server under test: at half
/// an endpoint's capacity the generator alone used a quarter of two cores. This connection writes NIO's
/// HTTP/1.1 request parts and waits for the response's end; the body is counted, not kept. It reconnects when the
/// server closes the connection or a request fails.
///
/// Used from one worker task at a time; its channel state lives on the channel's event loop.
final class PlainHTTPConnection {
    /// Where to connect: `host:port` of an `http://` URL with no placeholder before its path.
    struct Target: Sendable, Equatable {
        var host: String
        var port: Int
        /// The URL up to its path, e.g. `http://127.0.0.1:8080`: what every expanded URL starts with.
        var origin: String

        /// The target of a URL template, or `nil` when the plain connection cannot serve it (https, or a placeholder
        /// in the host or port; `{path}` right after the port is the path).
        init?(template: LoadTemplate) {
            let text = template.description
            guard text.lowercased().hasPrefix("http://") else { return nil }
            let afterScheme = text.index(text.startIndex, offsetBy: 7)
            let authorityEnd = text[afterScheme...].firstIndex { "/?#{".contains($0) } ?? text.endIndex
            // `http://host:port{path}`: the paths file's lines are the paths. Any other placeholder there could be
            // part of the host or port.
            guard authorityEnd == text.endIndex || text[authorityEnd] != "{" || text[authorityEnd...].hasPrefix("{path}") else { return nil }
            let authority = text[afterScheme..<authorityEnd]
            guard !authority.isEmpty, !authority.contains("{"), !authority.contains("@") else { return nil }
            if authority.hasPrefix("[") {  // [v6]:port
                guard let close = authority.firstIndex(of: "]") else { return nil }
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let rest = authority[authority.index(after: close)...]
                if rest.isEmpty {
                    port = 80
                } else {
                    guard rest.first == ":", let value = Int(rest.dropFirst()) else { return nil }
                    port = value
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                guard let value = Int(authority[authority.index(after: colon)...]) else { return nil }
                port = value
            } else {
                host = String(authority)
                port = 80
            }
            guard (1...65_535).contains(port), !host.isEmpty else { return nil }
            origin = String(text[..<authorityEnd])
        }
    }

    /// The request's target (path and query) of an expanded URL, `/` when it has none.
    static func requestTarget(of url: String, origin: String) -> String {
        let rest = url.dropFirst(origin.count)
        let withoutFragment = rest.prefix { $0 != "#" }
        if withoutFragment.isEmpty { return "/" }
        return withoutFragment.first == "/" ? String(withoutFragment) : "/" + withoutFragment
    }

    /// A request that got no complete answer.
    enum Failure: Error, Equatable {
        /// No complete response within the plan's timeout.
        case timeout
        /// The connection closed before the response ended.
        case closed
    }

    private let target: Target
    private let eventLoop: any EventLoop
    private let timeout: TimeAmount
    private var channel: (any Channel)?
    private var handler: ResponseHandler?
    /// False after an exchange that ends the connection (`Connection: close` either way, or HTTP/1.0 without
    /// keep-alive).
    private var reusable = false

    init(target: Target, eventLoop: any EventLoop, timeout: TimeAmount) {
        self.target = target
        self.eventLoop = eventLoop
        self.timeout = timeout
    }

    /// Sends one request and returns the response's status once its body has ended.
    func send(method: HTTPMethod, target requestTarget: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> Int {
        let (channel, handler) = try await open()
        var headers = headers
        if let body { headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes)) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: requestTarget, headers: headers)
        let timeout = self.timeout
        let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<(status: Int, keepAlive: Bool)> in
            let response = handler.expect(timeout: timeout, on: channel.eventLoop)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return response
        }
        do {
            let (status, keepAlive) = try await future.get()
            // Either side may end the connection with this exchange (`Connection: close` in the request is the
            // plan's own header); the server need not say so when the client did.
            reusable = keepAlive && head.isKeepAlive
            return status
        } catch {
            // The connection's state is unknown (a response may still arrive): start over on a new one.
            close()
            throw error
        }
    }

    /// Closes the connection, if open.
    func close() {
        channel?.close(promise: nil)
        channel = nil
        handler = nil
    }

    private func open() async throws -> (any Channel, ResponseHandler) {
        if let channel, let handler, reusable, channel.isActive { return (channel, handler) }
        close()
        let handler = ResponseHandler()
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(min(timeout, .seconds(10)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: target.host, port: target.port).get()
        self.channel = channel
        self.handler = handler
        reusable = true
        return (channel, handler)
    }

    /// Completes the pending request's promise when its response ends, or fails it when the connection closes or
    /// the timeout passes. `@unchecked Sendable`: used on its channel's event loop only.
    private final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart

        private var context: ChannelHandlerContext?
        private var pending: EventLoopPromise<(status: Int, keepAlive: Bool)>?
        private var head: HTTPResponseHead?
        private var timer: Scheduled<Void>?

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
        }

        /// The promise of the next response; the connection closes if it does not end within `timeout`.
        func expect(timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<(status: Int, keepAlive: Bool)> {
            let promise = eventLoop.makePromise(of: (status: Int, keepAlive: Bool).self)
            guard let context, context.channel.isActive else {
                promise.fail(Failure.closed)
                return promise.futureResult
            }
            pending = promise
            timer = context.eventLoop.scheduleTask(in: timeout) { [self] in
                finish(.failure(Failure.timeout))
                self.context?.close(promise: nil)
            }
            return promise.futureResult
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return finish(.failure(Failure.closed)) }
                self.head = nil
                finish(.success((Int(head.status.code), head.isKeepAlive)))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(Failure.closed))
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        private func finish(_ result: Result<(status: Int, keepAlive: Bool), any Error>) {
            timer?.cancel()
            timer = nil
            guard let promise = pending else { return }
            pending = nil
            promise.completeWith(result)
        }
    }
}
