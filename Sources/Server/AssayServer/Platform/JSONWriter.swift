import AssayDomain
import Foundation
import Hummingbird
import NIOCore

/// Writes JSON straight into a byte buffer, for the responses that carry many objects (gene-set pages) or are
/// served very often (cached analytics).
///
/// Foundation's `JSONEncoder` builds an intermediate tree and sorts keys per object; for a page of 50 sets
/// with 10 genes each that was a large share of the request's CPU. Keys are written in sorted order so the
/// output matches the encoder used elsewhere byte for byte.
struct JSONWriter {
    /// The document so far. Bytes collect in an array and become a `ByteBuffer` once: every `ByteBuffer` write
    /// passes exclusivity checks on its storage, which took a tenth of `GET /genesets`' CPU at ~6,000 writes a page.
    private var bytes: [UInt8]

    init(capacity: Int = 4_096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The document written so far.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A JSON string with RFC 8259 escaping. Runs of bytes that need none are copied whole.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { text in
            var start = 0
            for (index, byte) in text.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
                escape(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        default:
            raw("\\u00")
            bytes.append(Self.hex[Int(byte >> 4)])
            bytes.append(Self.hex[Int(byte & 0x0F)])
        }
    }

    mutating func boolean(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// A finite number as `JSONEncoder` writes it: Swift's shortest round-trip form, without a trailing `.0`.
    mutating func number(_ value: Double) {
        let text = value.description
        bytes.append(contentsOf: (text.hasSuffix(".0") ? String(text.dropLast(2)) : text).utf8)
    }

    /// A number, or `null` when it is absent or not finite (JSON has no infinities; `JSONEncoder` would throw).
    mutating func numberOrNull(_ value: Double?) {
        if let value, value.isFinite { number(value) } else { raw("null") }
    }

    /// An array of strings.
    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A value as the API's `JSONEncoder` writes it, for the rare parts of a written document that have no writer.
    mutating func encoded(_ value: some Encodable) throws {
        bytes.append(contentsOf: try AppRequestContext.makeEncoder().encode(value))
    }

    mutating func stringOrNull(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    /// A date as ISO 8601 in UTC with whole seconds, as `JSONEncoder`'s `.iso8601` strategy writes it.
    mutating func date(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let civil = CivilDate(daysSince1970: Int(days))
        bytes.append(UInt8(ascii: "\""))
        padded(Int64(civil.year), 4)
        bytes.append(UInt8(ascii: "-"))
        padded(Int64(civil.month), 2)
        bytes.append(UInt8(ascii: "-"))
        padded(Int64(civil.day), 2)
        bytes.append(UInt8(ascii: "T"))
        padded(secondOfDay / 3_600, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(secondOfDay % 3_600 / 60, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(secondOfDay % 60, 2)
        raw("Z\"")
    }

    /// `value` in decimal, zero-padded to `width` digits (wider values and negative ones as they are).
    private mutating func padded(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        guard value >= 0, value < divisor * 10 else {
            bytes.append(contentsOf: Self.pad(value, width).utf8)
            return
        }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension JSONWriter {
    /// A gene set, shaped like ``GenesetResponse``.
    mutating func geneset(_ set: Geneset) {
        raw("{\"collection\":")
        if let collection = set.collectionID { integer(collection) } else { raw("null") }
        raw(",\"created_at\":")
        date(set.createdAt)
        raw(",\"description\":")
        if let description = set.description { string(description) } else { raw("null") }
        raw(",\"genes\":[")
        for (index, gene) in set.genes.enumerated() {
            raw(index == 0 ? "{\"id\":" : ",{\"id\":")
            integer(gene.id)
            raw(",\"name\":")
            string(gene.name)
            raw("}")
        }
        raw("],\"id\":")
        integer(set.id)
        raw(",\"owner\":")
        string(set.owner)
        raw(",\"species\":")
        string(set.species.name)
        raw(",\"title\":")
        string(set.title)
        raw(",\"updated_at\":")
        date(set.updatedAt)
        raw(",\"visibility\":")
        string(set.visibility.rawValue)
        raw("}")
    }
}

/// A page of gene sets written with ``JSONWriter``: `{"items": [...], "next_cursor": ...}`.
struct GenesetPageBody: ResponseGenerator {
    let page: Page<Geneset>

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: bytes()))
    }

    /// The JSON document.
    func bytes() -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + page.items.count * 512)
        writer.raw("{\"items\":[")
        for (index, set) in page.items.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.geneset(set)
        }
        writer.raw("],\"next_cursor\":")
        writer.stringOrNull(page.nextCursor)
        writer.raw("}")
        return writer.buffer
    }
}
