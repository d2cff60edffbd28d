/// A streaming CSV reader over UTF-8 bytes, for exports as lab tools really write them.
///
/// Feed it chunks of any size, in order; it hands out one ``CSVRecord`` per record and keeps only the record
/// being read, so memory stays flat whatever the file size. It accepts:
/// - LF, CRLF or CR line ends, and a last record without a line end;
/// - a UTF-8 byte order mark at the start;
/// - blank lines anywhere (skipped);
/// - spaces and tabs around values (`1,\tAlice`), which are trimmed from unquoted values;
/// - RFC 4180 quotes: `"a, ""b"""` is `a, "b"`, and a quoted value may span lines.
///
/// A quote inside an unquoted value is kept as is. An unterminated quoted value, or a record longer than
/// ``maximumRecordLength`` bytes, is a ``CSVSyntaxError`` naming the line.
public struct CSVScanner: Sendable {
    /// Longest record accepted, in bytes; a longer one is a syntax error rather than unbounded memory.
    public static let maximumRecordLength = 1 << 20

    private enum State: Sendable {
        /// Before a value: skipping leading spaces and tabs.
        case fieldStart
        case unquoted
        case quoted
        /// Inside a quoted value, just after a quote: either an escaped quote or the closing one.
        case quoteInQuoted
        /// After a closing quote: only spaces or tabs may follow before the separator.
        case afterQuoted
    }

    private var state = State.fieldStart
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// End of the current unquoted value without its trailing spaces.
    private var valueEnd = 0
    /// Whether the current record has any byte that is not blank.
    private var recordHasContent = false
    /// Physical line being read (1-based) and the line the current record started on.
    private var line = 1
    private var recordLine = 1
    /// The line of the record completed last (the one ``emit(_:)`` hands out).
    private var completedLine = 1
    /// A CR ended the previous line: an LF right after it belongs to the same line end.
    private var afterCR = false
    /// How many bytes of the leading byte order mark have been matched; `nil` once past the start.
    private var bomMatched: Int? = 0

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    /// Creates a reader positioned at the start of a file.
    public init() {
        bytes.reserveCapacity(256)
        ends.reserveCapacity(8)
    }

    /// Reads a chunk, calling `onRecord` for every record it completes.
    public mutating func feed(_ chunk: some Collection<UInt8>, _ onRecord: (CSVRecord) throws -> Void) throws {
        // The byte loop calls no closure: `step` reports a completed record and only then is `onRecord` called.
        let contiguous: Void? = try chunk.withContiguousStorageIfAvailable { buffer in
            for byte in buffer where try step(byte) { try emit(onRecord) }
        }
        if contiguous == nil {
            for byte in chunk where try step(byte) { try emit(onRecord) }
        }
    }

    /// Ends the file, calling `onRecord` for a last record that had no line end.
    public mutating func finish(_ onRecord: (CSVRecord) throws -> Void) throws {
        if let matched = bomMatched, matched > 0 {
            // The file was only a prefix of a byte order mark: those bytes are content.
            bomMatched = nil
            for byte in Self.bom.prefix(matched) where try step(byte) { try emit(onRecord) }
        }
        if state == .quoted {
            throw CSVSyntaxError(line: recordLine, reason: "quoted value is not closed before the end of the file")
        }
        if endRecord() { try emit(onRecord) }
    }

    /// Hands the completed record out, then forgets it.
    private mutating func emit(_ onRecord: (CSVRecord) throws -> Void) throws {
        defer {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            valueEnd = 0
        }
        try onRecord(CSVRecord(line: completedLine, bytes: bytes, ends: ends))
    }

    /// Consumes one byte; `true` when it completed a record (held until ``emit(_:)``).
    @inline(__always)
    private mutating func step(_ byte: UInt8) throws -> Bool {
        if let matched = bomMatched {
            if byte == Self.bom[matched] {
                bomMatched = matched + 1 == Self.bom.count ? nil : matched + 1
                return false
            }
            bomMatched = nil
            // Bytes of a partial byte order mark are content; they cannot end a record.
            for replay in Self.bom.prefix(matched) { _ = try step(replay) }
        }
        if afterCR {
            afterCR = false
            if byte == Self.lf {
                // The LF of a CRLF: the line was already counted; inside quotes it is part of the value.
                if state == .quoted { try append(byte) }
                return false
            }
        }
        switch state {
        case .fieldStart:
            switch byte {
            case Self.space, Self.tab: return false
            case Self.quote:
                recordHasContent = true
                state = .quoted
            case Self.comma:
                recordHasContent = true
                endValue()
            case Self.lf, Self.cr:
                return endLine(byte)
            default:
                recordHasContent = true
                state = .unquoted
                try append(byte)
                valueEnd = bytes.count
            }
        case .unquoted:
            switch byte {
            case Self.comma:
                endValue()
                state = .fieldStart
            case Self.lf, Self.cr:
                return endLine(byte)
            case Self.space, Self.tab:
                try append(byte)
            default:
                try append(byte)
                valueEnd = bytes.count
            }
        case .quoted:
            switch byte {
            case Self.quote:
                // Either the closing quote (the value ends here) or the first of an escaped pair.
                valueEnd = bytes.count
                state = .quoteInQuoted
            case Self.lf:
                line += 1
                try append(byte)
            case Self.cr:
                line += 1
                afterCR = true
                try append(byte)
            default:
                try append(byte)
            }
        case .quoteInQuoted:
            if byte == Self.quote {
                try append(byte)
                state = .quoted
            } else {
                state = .afterQuoted
                return try step(byte)
            }
        case .afterQuoted:
            switch byte {
            case Self.space, Self.tab: return false
            case Self.comma:
                endValue()
                state = .fieldStart
            case Self.lf, Self.cr:
                return endLine(byte)
            default:
                throw CSVSyntaxError(line: line, reason: "unexpected character after a closing quote")
            }
        }
        return false
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) throws {
        guard bytes.count < Self.maximumRecordLength else {
            throw CSVSyntaxError(line: recordLine, reason: "record is longer than \(Self.maximumRecordLength) bytes")
        }
        bytes.append(byte)
    }

    /// Closes the current value at `valueEnd` (trailing blanks of unquoted values are dropped).
    @inline(__always)
    private mutating func endValue() {
        let start = ends.last ?? 0
        let end = state == .fieldStart ? bytes.count : valueEnd
        bytes.removeSubrange(max(start, end)..<bytes.count)
        ends.append(bytes.count)
        valueEnd = bytes.count
    }

    /// A line end outside quotes: closes the record, if the line had one, and moves to the next line.
    private mutating func endLine(_ byte: UInt8) -> Bool {
        let complete = endRecord()
        line += 1
        recordLine = line
        afterCR = byte == Self.cr
        return complete
    }

    /// Closes the current record; `false` (and nothing kept) for a blank line.
    private mutating func endRecord() -> Bool {
        defer {
            state = .fieldStart
            recordHasContent = false
        }
        guard recordHasContent else {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            valueEnd = 0
            return false
        }
        endValue()
        completedLine = recordLine
        return true
    }
}

/// One record of a CSV file: its values as UTF-8 bytes, and the line it starts on.
public struct CSVRecord: Sendable {
    /// The 1-based line the record starts on.
    public let line: Int
    private let bytes: [UInt8]
    private let ends: [Int]

    init(line: Int, bytes: [UInt8], ends: [Int]) {
        self.line = line
        self.bytes = bytes
        self.ends = ends
    }

    /// Number of values.
    public var count: Int { ends.count }

    /// The bytes of value `index` (0-based), trimmed and unquoted.
    public subscript(index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    /// Value `index` as text, or `nil` when it is not valid UTF-8.
    public func string(_ index: Int) -> String? {
        String(validating: self[index], as: UTF8.self)
    }
}

/// The bytes are not well-formed CSV.
public struct CSVSyntaxError: Error, Sendable, Hashable {
    /// The 1-based line where the problem is.
    public var line: Int
    /// What is wrong.
    public var reason: String

    /// Creates a syntax error.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}
