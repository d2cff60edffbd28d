import NIOCore
import PostgresNIO
import Testing

@testable import AssayPostgres

/// The `text[]` reader that an export copies gene names with, on hand-made binary arrays: what Postgres sends, and
/// what it must refuse rather than copy.
@Suite("Postgres array columns")
struct PostgresArrayColumnTests {
    /// A one-dimensional array in Postgres's binary format; `lengths` overrides each element's length field.
    private func array(_ elements: [String], type: PostgresDataType = .text, dimensions: Int32 = 1, lengths: [Int32]? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(dimensions, Int32(0), type.rawValue, endianness: .big)
        guard dimensions > 0 else { return buffer }
        buffer.writeMultipleIntegers(Int32(elements.count), Int32(1), endianness: .big)
        for (index, element) in elements.enumerated() {
            buffer.writeInteger(lengths?[index] ?? Int32(element.utf8.count), endianness: .big)
            buffer.writeString(element)
        }
        return buffer
    }

    @Test func copiesEachElementAfterTheSeparator() throws {
        var bytes = Array("head".utf8)
        try PostgresArrayColumn.appendTexts(of: array(["TP53", "", "naïve", "BRCA1"]), separatedBy: 9, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "head\tTP53\t\tnaïve\tBRCA1")
        var empty: [UInt8] = []
        try PostgresArrayColumn.appendTexts(of: array([], dimensions: 0), separatedBy: 9, to: &empty)
        #expect(empty.isEmpty)
        // The same elements the decoding reader gives.
        #expect(try PostgresArrayColumn.strings(array(["A", "b c"])) == ["A", "b c"])
    }

    @Test func refusesWhatIsNotOneDimensionalTextWithoutNulls() {
        var bytes: [UInt8] = []
        #expect(throws: PostgresArrayColumn.Malformed.self) {
            try PostgresArrayColumn.appendTexts(of: array(["1"], type: .int8), separatedBy: 9, to: &bytes)
        }
        #expect(throws: PostgresArrayColumn.Malformed.self) {
            try PostgresArrayColumn.appendTexts(of: array(["A", "B"], dimensions: 2), separatedBy: 9, to: &bytes)
        }
        #expect(throws: PostgresArrayColumn.Malformed.self) {
            try PostgresArrayColumn.appendTexts(of: array(["A", "B"], lengths: [1, -1]), separatedBy: 9, to: &bytes)
        }
        #expect(throws: PostgresArrayColumn.Malformed.self) {
            try PostgresArrayColumn.appendTexts(of: array(["A", "B"], lengths: [1, 40]), separatedBy: 9, to: &bytes)
        }
        var cut = array(["ABC"])
        cut.moveWriterIndex(to: cut.writerIndex - 2)
        #expect(throws: PostgresArrayColumn.Malformed.self) { try PostgresArrayColumn.appendTexts(of: cut, separatedBy: 9, to: &bytes) }
        #expect(throws: PostgresArrayColumn.Malformed.self) {
            try PostgresArrayColumn.appendTexts(of: ByteBuffer(bytes: [0, 0]), separatedBy: 9, to: &bytes)
        }
    }
}

/// The COPY text of array columns written byte by byte is what escaping the `String` literal gives.
@Suite("COPY text arrays")
struct CopyTextArrayTests {
    @Test func writtenLiteralsMatchTheEscapedStringLiteral() {
        let awkward = [["plain"], [], ["quote\"d", "back\\slash", "tab\tnew\nline\rcr", "{brace,comma}", "naïve 🧬", ""], ["\\\"\\"]]
        for elements in awkward {
            var buffer = ByteBuffer()
            CopyText.writeArrayLiteral(elements, into: &buffer)
            #expect(String(buffer: buffer) == CopyText.escape(CopyText.arrayLiteral(elements)))
        }
        var numbers = ByteBuffer()
        CopyText.writeArrayLiteral([Int64(1), -2, Int64.max], into: &numbers)
        #expect(String(buffer: numbers) == "{1,-2,9223372036854775807}")
    }
}
