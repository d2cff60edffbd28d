import NIOCore
import NIOHTTP1
import NIOPosix

/// One kept-alive HTTP/1.1 connection without TLS, a request at a time, driven from its event loop: what a load
/// worker needs and nothing more.
///
/// async-http-client and a Swift task per worker cost the load tool about 390 µs of CPU per request (its pool and
/// request state machines, a timer and two executor hops per request), and on a machine shared with the server that
/// CPU is taken from the server under test. This connection writes NIO's HTTP/1.1 request parts and calls back when
/// the response has ended; the body is counted, not kept. It reconnects when either side ended the connection or a
/// request failed.
///
/// `@unchecked Sendable`: every member is used on ``eventLoop`` only.
final class PlainHTTPConnection: @unchecked Sendable {
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
            guard !authority.isEmpty, !authority.contains("@") else { return nil }
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

    /// The loop the connection lives on.
    let eventLoop: any EventLoop
    private let target: Target
    private let timeout: TimeAmount
    private let method: HTTPMethod
    private let headers: HTTPHeaders
    private let body: ByteBuffer?
    private let keepAliveAsked: Bool
    private var channel: (any Channel)?
    private var handler: ResponseHandler?
    /// False after an exchange that ends the connection (`Connection: close` either way, or HTTP/1.0 without
    /// keep-alive).
    private var reusable = false

    /// A connection for `plan`'s requests (method, headers, body) to `target`; it connects on first use.
    init(plan: LoadPlan, target: Target, eventLoop: any EventLoop) {
        self.target = target
        self.eventLoop = eventLoop
        self.timeout = LoadRunner.timeAmount(plan.timeout)
        self.method = HTTPMethod(rawValue: plan.method)
        var headers = HTTPHeaders()
        let host = target.host.contains(":") ? "[\(target.host)]" : target.host
        headers.add(name: "host", value: target.port == 80 ? host : "\(host):\(target.port)")
        for header in plan.headers { headers.add(name: header.name, value: header.value) }
        let body = plan.body.map { ByteBuffer(bytes: $0) }
        if let body { headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes)) }
        self.headers = headers
        self.body = body
        // The plan's own `Connection: close` ends each exchange; the server need not say so too.
        self.keepAliveAsked = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers).isKeepAlive
    }

    /// Sends one request to `url` (an expansion of the plan's template); `completion` gets the response's status once
    /// its body has ended, or the error, on ``eventLoop``. Call on ``eventLoop``, one request at a time.
    func send(_ url: String, completion: @escaping @Sendable (Result<Int, any Error>) -> Void) {
        let requestTarget = Self.requestTarget(of: url, origin: target.origin)
        if let channel, let handler, reusable, channel.isActive {
            return write(requestTarget, on: channel, handler, completion: completion)
        }
        open().whenComplete { [self] result in
            switch result {
            case .success:
                guard let channel, let handler else { return completion(.failure(Failure.closed)) }
                write(requestTarget, on: channel, handler, completion: completion)
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    /// Opens a new connection (closing the old one); call on ``eventLoop``. ``PlainLoadRun`` opens every connection
    /// before its clock starts, as wrk does, so that a thousand connects at once do not overflow the server's
    /// accept queue and count a SYN retry's second in the first requests.
    func open() -> EventLoopFuture<Void> {
        close()
        let handler = ResponseHandler()
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(min(timeout, .seconds(10)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: target.host, port: target.port)
            .hop(to: eventLoop)
            .map { [self] channel in
                self.channel = channel
                self.handler = handler
                reusable = true
            }
    }

    /// Closes the connection, if open.
    func close() {
        channel?.close(promise: nil)
        channel = nil
        handler = nil
        reusable = false
    }

    private func write(
        _ requestTarget: String, on channel: any Channel, _ handler: ResponseHandler, completion: @escaping @Sendable (Result<Int, any Error>) -> Void
    ) {
        let response = handler.expect(timeout: timeout, on: eventLoop)
        channel.write(
            HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: requestTarget, headers: headers)), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        response.whenComplete { [self] result in
            switch result {
            case .success(let (status, keepAlive)):
                reusable = keepAlive && keepAliveAsked
                completion(.success(status))
            case .failure(let error):
                // The connection's state is unknown (a response may still arrive): start over on a new one.
                close()
                completion(.failure(error))
            }
        }
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
