import NIOCore
import PostgresNIO

/// One-dimensional `bigint[]` and `text[]` columns read straight from Postgres's binary array format.
///
/// postgres-nio decodes arrays through generic code in its own module, resolving type metadata for every element:
/// on `GET /genesets` (51 sets, two arrays each) that was 15% of the server's CPU in `perf`.
enum PostgresArrayColumn {
    /// The column is not a one-dimensional array of the expected type without NULLs.
    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "malformed array column: \(reason)" }
    }

    /// The elements of a `bigint[]` column.
    static func int64s(_ column: ByteBuffer) throws -> [Int64] {
        var values: [Int64] = []
        try forEachElement(of: column, type: .int8) { element in
            guard element.count == 8 else { throw Malformed(reason: "a bigint element of \(element.count) bytes") }
            values.append(Int64(bigEndian: element.loadUnaligned(as: Int64.self)))
        }
        return values
    }

    /// The elements of a `text[]` column.
    static func strings(_ column: ByteBuffer) throws -> [String] {
        var values: [String] = []
        try forEachElement(of: column, type: .text) { values.append(String(decoding: $0, as: UTF8.self)) }
        return values
    }

    /// Appends each element of a `text[]` column to `bytes` as it is stored, each preceded by `separator`: an export
    /// copies millions of elements this way, without making a `String` of any.
    static func appendTexts(of column: ByteBuffer, separatedBy separator: UInt8, to bytes: inout [UInt8]) throws {
        try forEachElement(of: column, type: .text) { element in
            bytes.append(separator)
            bytes.append(contentsOf: element)
        }
    }

    /// Hands each element's bytes to `body`, walking the format over the column's bytes in place (reading each element
    /// as a `ByteBuffer` slice spent more in reference counting and exclusivity checks than in copying).
    ///
    /// Header: dimensions, a has-NULLs flag, the element type; per dimension its length and lower bound; then each
    /// element as a length and its bytes (length -1 for NULL). An empty array has zero dimensions.
    private static func forEachElement(
        of column: ByteBuffer, type: PostgresDataType, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try column.withUnsafeReadableBytes { raw in
            func integer(at offset: Int) throws -> Int {
                guard offset + 4 <= raw.count else { throw Malformed(reason: "cut short at byte \(offset) of \(raw.count)") }
                return Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
            }
            let dimensions = try integer(at: 0)
            guard dimensions != 0 else { return }
            let oid = UInt32(truncatingIfNeeded: try integer(at: 8))
            guard dimensions == 1, PostgresDataType(oid) == type else {
                throw Malformed(reason: "\(dimensions) dimensions of type \(oid), expected 1 of \(type.rawValue)")
            }
            let count = try integer(at: 12)
            var offset = 20
            for index in 0..<max(count, 0) {
                let length = try integer(at: offset)
                offset += 4
                guard length >= 0, offset + length <= raw.count else {
                    throw Malformed(reason: "element \(index + 1) of \(count) is NULL or cut short")
                }
                try body(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]))
                offset += length
            }
        }
    }
}
