import AssayDomain
import Hummingbird
import MultipartKit
import NIOCore

/// The bytes of an uploaded GMT file as they arrive: the request body itself (`text/tab-separated-values`,
/// `text/plain`), or the first file part of a `multipart/form-data` body. Pulled by the import, so a slow database
/// slows the upload rather than buffering it.
struct GMTUploadBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    let body: RequestBody
    /// The multipart boundary, or `nil` for a plain body.
    let boundary: String?

    struct AsyncIterator: AsyncIteratorProtocol {
        var body: RequestBody.AsyncIterator
        let parser: MultipartParser?
        let state: PartState

        mutating func next() async throws -> [UInt8]? {
            guard let parser else {
                return try await body.next().map { Array(buffer: $0) }
            }
            while true {
                if let bytes = state.take() { return bytes }
                guard !state.finished else { return nil }
                guard let buffer = try await body.next() else {
                    state.finish()
                    continue
                }
                do {
                    try parser.execute(buffer)
                } catch {
                    throw Problem(.badRequest, detail: "the multipart body is malformed")
                }
            }
        }
    }

    /// What the parser's callbacks found so far: the bytes of the file part not yet handed out.
    final class PartState {
        private var pending: [UInt8] = []
        private var part = 0
        private var inFile = false
        private(set) var finished = false

        func header(_ field: String, _ value: String) {
            guard field.lowercased() == "content-disposition" else { return }
            inFile = part == 0
        }

        func body(_ buffer: ByteBuffer) {
            guard inFile else { return }
            pending += buffer.readableBytesView
        }

        func partComplete() {
            if inFile { finished = true }
            inFile = false
            part += 1
        }

        func finish() { finished = true }

        func take() -> [UInt8]? {
            guard !pending.isEmpty else { return nil }
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        guard let boundary else { return AsyncIterator(body: body.makeAsyncIterator(), parser: nil, state: PartState()) }
        let parser = MultipartParser(boundary: boundary)
        let state = PartState()
        parser.onHeader = { state.header($0, $1) }
        parser.onBody = { state.body($0) }
        parser.onPartComplete = { state.partComplete() }
        return AsyncIterator(body: body.makeAsyncIterator(), parser: parser, state: state)
    }
}
