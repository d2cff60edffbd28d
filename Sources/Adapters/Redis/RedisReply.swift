import AssayDomain

/// A RESP2 reply, copied out of hiredis' reply object (which is freed at once).
public enum RedisReply: Sendable, Hashable {
    /// A bulk string: bytes, binary-safe.
    case string([UInt8])
    /// A status line such as `OK` or `PONG`.
    case status(String)
    /// An integer.
    case integer(Int64)
    /// A multi-bulk reply.
    case array([RedisReply])
    /// The null bulk or null array.
    case null
    /// An error line such as `WRONGTYPE ...`.
    case error(String)
}

/// A command Redis answered with an error, or a reply of an unexpected shape.
public struct RedisCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "redis: \(message)" }
}

extension RedisReply {
    /// Throws when the reply is an error; errors of a server that cannot serve yet (loading, busy) are
    /// ``UnavailableError``s, since they pass.
    func checked() throws -> RedisReply {
        guard case .error(let message) = self else { return self }
        for transient in ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN"] where message.hasPrefix(transient) {
            throw UnavailableError(dependency: "redis", reason: message)
        }
        throw RedisCommandError(message)
    }

    /// A score or counter sent as a bulk string (`ZINCRBY`, `ZSCORE`) or an integer; `nil` for a null reply.
    func count() throws -> Int64? {
        switch try checked() {
        case .null: return nil
        case .integer(let value): return value
        case .string(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            if let value = Int64(text) { return value }
            if let value = Double(text), value.isFinite, value.magnitude < 9.0e15 { return Int64(value) }
            throw RedisCommandError("expected a count, got '\(text)'")
        default: throw RedisCommandError("expected a count, got \(self)")
        }
    }

    /// The elements of an array reply.
    func elements() throws -> [RedisReply] {
        switch try checked() {
        case .array(let elements): return elements
        case .null: return []
        default: throw RedisCommandError("expected an array, got \(self)")
        }
    }
}
