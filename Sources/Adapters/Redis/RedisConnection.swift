import AssayDomain
import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command: its arguments as bytes (binary-safe, sent with `redisAppendCommandArgv`).
public typealias RedisCommand = [[UInt8]]

/// Why a connection failed; the connection is unusable afterwards.
struct RedisConnectionFailure: Error {
    /// hiredis' error code (`REDIS_ERR_IO`, `REDIS_ERR_EOF`, ...).
    var code: Int32
    /// hiredis' message.
    var message: String

    /// The server closed a connection: a command on it never ran, so it may be sent again on a new one.
    var serverClosed: Bool { code == REDIS_ERR_EOF }
}

/// One blocking hiredis connection. Blocking calls must run on a dedicated thread (``RedisClient`` uses a
/// `NIOThreadPool`), never on an event loop or the Swift concurrency pool.
///
/// `@unchecked Sendable`: a connection is used by one thread at a time. ``RedisClient`` hands it from its idle
/// list (behind a mutex) to exactly one pool thread and takes it back afterwards.
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// Connects within the connect timeout, sets the command timeout, then sends AUTH and SELECT as configured.
    static func open(_ settings: RedisSettings) throws -> RedisConnection {
        guard let context = redisConnectWithTimeout(settings.host, Int32(settings.port), makeTimeval(settings.connectTimeout)) else {
            throw RedisConnectionFailure(code: REDIS_ERR_OOM, message: "out of memory")
        }
        if context.pointee.err != 0 {
            let failure = Self.failure(of: context)
            redisFree(context)
            throw failure
        }
        let connection = RedisConnection(context: context)
        guard redisSetTimeout(context, makeTimeval(settings.commandTimeout)) == REDIS_OK else { throw Self.failure(of: context) }
        _ = redisEnableKeepAlive(context)
        var setup: [RedisCommand] = []
        if let password = settings.password {
            setup.append([Array("AUTH".utf8)] + (settings.username.map { [Array($0.utf8)] } ?? []) + [Array(password.utf8)])
        }
        if settings.database != 0 { setup.append([Array("SELECT".utf8), Array(String(settings.database).utf8)]) }
        for reply in try connection.pipeline(setup) {
            if case .error(let message) = reply {
                throw UnavailableError(dependency: "redis", reason: "connection setup refused: \(message)")
            }
        }
        return connection
    }

    /// Sends every command in one write, then reads one reply per command. Each reply object is freed after it is
    /// copied. On a failure the connection must be dropped: replies may be left unread.
    func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        for command in commands {
            guard append(command) == REDIS_OK else { throw Self.failure(of: context) }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw Self.failure(of: context) }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.copy(reply))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Appends one command to the output buffer: all arguments in one contiguous buffer, with lengths, so any
    /// byte (NUL included) is sent as is.
    private func append(_ command: RedisCommand) -> Int32 {
        var flat: [UInt8] = []
        flat.reserveCapacity(command.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in command {
            offsets.append(flat.count)
            lengths.append(argument.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)  // never empty, so the base address exists
        return flat.withUnsafeBytes { bytes in
            var argv: [UnsafePointer<CChar>?] = offsets.map { offset in
                bytes.baseAddress.map { ($0 + offset).assumingMemoryBound(to: CChar.self) }
            }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    redisAppendCommandArgv(context, Int32(command.count), argvBuffer.baseAddress, lengthBuffer.baseAddress)
                }
            }
        }
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .string(bytes(value.str, count: value.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value.str, count: value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(value.str, count: value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(value.integer)
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else { return .array([]) }
            return .array((0..<value.elements).map { index in elements[index].map(copy) ?? .null })
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    private static func failure(of context: UnsafeMutablePointer<redisContext>) -> RedisConnectionFailure {
        let message = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisConnectionFailure(code: context.pointee.err, message: message.isEmpty ? "connection failed" : message)
    }
}

private func makeTimeval(_ duration: Duration) -> timeval {
    let (seconds, attoseconds) = duration.components
    return timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
}
