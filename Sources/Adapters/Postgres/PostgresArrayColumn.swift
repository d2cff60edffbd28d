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
        try elements(of: column, type: .int8) { element in
            guard element.readableBytes == 8, let value = element.readInteger(endianness: .big, as: Int64.self) else {
                throw Malformed(reason: "a bigint element of \(element.readableBytes) bytes")
            }
            return value
        }
    }

    /// The elements of a `text[]` column.
    static func strings(_ column: ByteBuffer) throws -> [String] {
        try elements(of: column, type: .text) { element in String(buffer: element) }
    }

    /// Appends each element of a `text[]` column to `bytes` as it is stored, each preceded by `separator`.
    ///
    /// Walks the format (see below) over the column's bytes in place: an export copies millions of elements, and
    /// reading each as a `ByteBuffer` slice spent more in reference counting and exclusivity checks than in copying.
    static func appendTexts(of column: ByteBuffer, separatedBy separator: UInt8, to bytes: inout [UInt8]) throws {
        try column.withUnsafeReadableBytes { raw in
            func integer(at offset: Int) throws -> Int {
                guard offset + 4 <= raw.count else { throw Malformed(reason: "cut short at byte \(offset) of \(raw.count)") }
                return Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
            }
            let dimensions = try integer(at: 0)
            guard dimensions != 0 else { return }
            let type = UInt32(truncatingIfNeeded: try integer(at: 8))
            guard dimensions == 1, PostgresDataType(type) == .text else {
                throw Malformed(reason: "\(dimensions) dimensions of type \(type), expected 1 of \(PostgresDataType.text.rawValue)")
            }
            let count = try integer(at: 12)
            var offset = 20
            for index in 0..<max(count, 0) {
                let length = try integer(at: offset)
                offset += 4
                guard length >= 0, offset + length <= raw.count else {
                    throw Malformed(reason: "element \(index + 1) of \(count) is NULL or cut short")
                }
                bytes.append(separator)
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]))
                offset += length
            }
        }
    }

    /// Header: dimensions, a has-NULLs flag, the element type; per dimension its length and lower bound; then each
    /// element as a length and its bytes (length -1 for NULL). An empty array has zero dimensions.
    private static func elements<Element>(
        of column: ByteBuffer, type: PostgresDataType, _ read: (inout ByteBuffer) throws -> Element
    ) throws -> [Element] {
        var buffer = column
        guard let (dimensions, _, oid) = buffer.readMultipleIntegers(endianness: .big, as: (Int32, Int32, UInt32).self) else {
            throw Malformed(reason: "a header of \(column.readableBytes) bytes")
        }
        guard dimensions != 0 else { return [] }
        guard dimensions == 1, PostgresDataType(oid) == type else {
            throw Malformed(reason: "\(dimensions) dimensions of type \(oid), expected 1 of \(type.rawValue)")
        }
        guard let (count, _) = buffer.readMultipleIntegers(endianness: .big, as: (Int32, Int32).self), count >= 0 else {
            throw Malformed(reason: "no element count")
        }
        var elements: [Element] = []
        elements.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            guard let length = buffer.readInteger(endianness: .big, as: Int32.self), length >= 0,
                var element = buffer.readSlice(length: Int(length))
            else {
                throw Malformed(reason: "element \(index + 1) of \(count) is NULL or cut short")
            }
            elements.append(try read(&element))
        }
        return elements
    }
}
