import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// What a raw TCP exchange with a live server saw: the bytes it answered and whether it closed the connection.
struct RawExchange: Sendable {
    /// Every byte received.
    var bytes: [UInt8]
    /// The server closed the connection (end of file) before the read time ran out.
    var closedByServer: Bool
    /// From connecting to the close, or to the end of the read time.
    var elapsed: Duration

    /// The first response's status code, if one arrived.
    var status: Int? {
        guard let line = String(decoding: bytes.prefix(64), as: UTF8.self).split(separator: "\r\n").first else { return nil }
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// The first response's header fields, names lower-cased.
    var headers: [String: String] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return [:] }
        var fields: [String: String] = [:]
        for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The first response's body (by its Content-Length).
    var body: [UInt8] {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return [] }
        let rest = bytes[end.upperBound...]
        let length = headers["content-length"].flatMap(Int.init) ?? rest.count
        return Array(rest.prefix(length))
    }

    /// The body as a JSON object.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// Raw HTTP over loopback TCP, for what a well-behaved client cannot send: malformed requests, slow or silent clients.
enum RawHTTP {
    /// Connects to `port`, sends `chunks` with `pause` between them, and reads until the server closes the connection
    /// or `readFor` has passed since connecting.
    static func exchange(
        port: Int, _ chunks: [[UInt8]], pause: Duration = .zero, readFor timeout: Duration = .seconds(10)
    ) async throws -> RawExchange {
        let start = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let received = ReceivedBytes()
        return try await channel.executeThenClose { inbound, outbound in
            let closed = try await withThrowingTaskGroup(of: Bool?.self) { group in
                group.addTask {
                    do {
                        for try await buffer in inbound { received.bytes.withLock { $0 += buffer.readableBytesView } }
                    } catch {
                        // A reset counts as a close.
                    }
                    return true
                }
                group.addTask {
                    for (index, chunk) in chunks.enumerated() {
                        if index > 0, pause > .zero { try await Task.sleep(for: pause) }
                        do { try await outbound.write(ByteBuffer(bytes: chunk)) } catch { return nil }
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(until: start + timeout)
                    return false
                }
                var closed = false
                while let next = try await group.next() {
                    guard let next else { continue }
                    closed = next
                    break
                }
                group.cancelAll()
                return closed
            }
            return RawExchange(bytes: received.bytes.withLock { $0 }, closedByServer: closed, elapsed: ContinuousClock.now - start)
        }
    }

    /// ``exchange(port:_:pause:readFor:)`` of one request text.
    static func exchange(port: Int, _ request: String, readFor timeout: Duration = .seconds(10)) async throws -> RawExchange {
        try await exchange(port: port, [Array(request.utf8)], readFor: timeout)
    }
}

/// Bytes a reader task collects while the test waits.
private final class ReceivedBytes: Sendable {
    let bytes = Mutex<[UInt8]>([])
}
