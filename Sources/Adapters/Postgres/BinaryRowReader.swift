import Foundation
import NIOCore
import PostgresNIO

/// Reads a row's columns in order from their binary cells, for the hottest rows (gene sets): postgres-nio's decoding
/// of a tuple of eleven columns through parameter packs looked up generic metadata for every cell, 14% of the
/// server's CPU on a page of sets (`perf`, issue 18). Each read checks the column's type and format and throws
/// ``Mismatch`` on anything unexpected.
struct BinaryRowReader {
    /// A cell that is not of the type, format or size the reader asked for.
    struct Mismatch: Error, CustomStringConvertible {
        let column: String
        let reason: String
        var description: String { "column \(column): \(reason)" }
    }

    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) {
        cells = row.makeIterator()
    }

    /// The next cell's bytes (nil for NULL), after checking that it is binary and of one of `types`.
    private mutating func next(_ types: [PostgresDataType]) throws -> (bytes: ByteBuffer?, type: PostgresDataType) {
        guard let cell = cells.next() else { throw Mismatch(column: "?", reason: "the row has no more columns") }
        guard cell.format == .binary, types.contains(cell.dataType) else {
            throw Mismatch(column: cell.columnName, reason: "\(cell.dataType) in \(cell.format) format, expected \(types)")
        }
        return (cell.bytes, cell.dataType)
    }

    /// A `bigint` column, or nil for NULL.
    mutating func optionalInt64() throws -> Int64? {
        guard var bytes = try next([.int8]).bytes else { return nil }
        guard bytes.readableBytes == 8, let value = bytes.readInteger(as: Int64.self) else {
            throw Mismatch(column: "bigint", reason: "\(bytes.readableBytes) bytes")
        }
        return value
    }

    /// A `bigint` column that is never NULL.
    mutating func int64() throws -> Int64 {
        guard let value = try optionalInt64() else { throw Mismatch(column: "bigint", reason: "NULL") }
        return value
    }

    /// An `integer` or `bigint` column that is never NULL.
    mutating func int() throws -> Int {
        let (bytes, type) = try next([.int4, .int8])
        guard var bytes else { throw Mismatch(column: "\(type)", reason: "NULL") }
        switch (type, bytes.readableBytes) {
        case (.int4, 4): return Int(bytes.readInteger(as: Int32.self) ?? 0)
        case (.int8, 8): return Int(bytes.readInteger(as: Int64.self) ?? 0)
        default: throw Mismatch(column: "\(type)", reason: "\(bytes.readableBytes) bytes")
        }
    }

    /// A `text` column, or nil for NULL.
    mutating func optionalText() throws -> String? {
        try next([.text, .varchar]).bytes.map { String(buffer: $0) }
    }

    /// A `text` column that is never NULL.
    mutating func text() throws -> String {
        guard let value = try optionalText() else { throw Mismatch(column: "text", reason: "NULL") }
        return value
    }

    /// A `timestamptz` column that is never NULL, as postgres-nio decodes it (microseconds since 2000-01-01 UTC).
    mutating func timestamp() throws -> Date {
        guard var bytes = try next([.timestamptz, .timestamp]).bytes else { throw Mismatch(column: "timestamptz", reason: "NULL") }
        guard bytes.readableBytes == 8, let microseconds = bytes.readInteger(as: Int64.self) else {
            throw Mismatch(column: "timestamptz", reason: "\(bytes.readableBytes) bytes")
        }
        return Date(timeInterval: Double(microseconds) / 1_000_000, since: Self.postgresEpoch)
    }

    /// An array column's raw bytes (read with ``PostgresArrayColumn``), never NULL.
    mutating func array(of type: PostgresDataType) throws -> ByteBuffer {
        guard let bytes = try next([type]).bytes else { throw Mismatch(column: "\(type)", reason: "NULL") }
        return bytes
    }

    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)
}
