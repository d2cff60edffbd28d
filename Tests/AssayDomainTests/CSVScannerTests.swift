import AssayDomain
import Testing

/// Reads `text` in chunks of `chunkSize` bytes and returns every record as (line, values).
private func records(_ text: String, chunkSize: Int) throws -> [(line: Int, values: [String])] {
    let bytes = Array(text.utf8)
    var scanner = CSVScanner()
    var found: [(Int, [String])] = []
    let take: (CSVRecord) -> Void = { record in
        found.append((record.line, (0..<record.count).map { record.string($0) ?? "<invalid>" }))
    }
    var start = 0
    while start < bytes.count {
        try scanner.feed(bytes[start..<min(start + chunkSize, bytes.count)], take)
        start += chunkSize
    }
    try scanner.finish(take)
    return found
}

/// The same records whatever the chunk size: every split point inside BOMs, CRLFs and quotes is covered.
private func expectRecords(_ text: String, _ expected: [(Int, [String])], sourceLocation: SourceLocation = #_sourceLocation) throws {
    for chunkSize in [1, 2, 3, 5, 7, 64, 1 << 16] {
        let found = try records(text, chunkSize: chunkSize)
        #expect(found.map(\.line) == expected.map(\.0), "chunk size \(chunkSize)", sourceLocation: sourceLocation)
        #expect(found.map(\.values) == expected.map(\.1), "chunk size \(chunkSize)", sourceLocation: sourceLocation)
    }
}

@Suite("CSV scanner")
struct CSVScannerTests {
    @Test func readsTheLabExportShape() throws {
        // A blank first line, a tab after every comma, no newline at the end.
        try expectRecords(
            "\nuser_id,\tname,\temail\n1,\tAlice,\talice@example.com\n2,\tBob,\tbob@example.com",
            [(2, ["user_id", "name", "email"]), (3, ["1", "Alice", "alice@example.com"]), (4, ["2", "Bob", "bob@example.com"])])
    }

    @Test func acceptsBOMAndEveryLineEnd() throws {
        try expectRecords(
            "\u{FEFF}a,b\r\n1,2\r3,4\n\r\n5,6\r\n",
            [(1, ["a", "b"]), (2, ["1", "2"]), (3, ["3", "4"]), (5, ["5", "6"])])
    }

    @Test func unquotesRFC4180Values() throws {
        try expectRecords(
            "id,text\n1,\t\"a, \"\"quoted\"\" value\"\t\n2,\"two\nlines\"\n3,\"\"\n4,x\"y\n",
            [(1, ["id", "text"]), (2, ["1", "a, \"quoted\" value"]), (3, ["2", "two\nlines"]), (5, ["3", ""]), (6, ["4", "x\"y"])])
    }

    @Test func aQuotedValueMayEndTheFile() throws {
        try expectRecords("a,\"b \"\"c\"\"\"", [(1, ["a", "b \"c\""])])
    }

    @Test func keepsEmptyValuesAndTrimsOnlyOutsideQuotes() throws {
        try expectRecords(" a , , \" b \" ,\n", [(1, ["a", "", " b ", ""])])
        try expectRecords("\t \n \n", [])
    }

    @Test func anUnclosedQuoteIsAnErrorOnItsLine() {
        for chunkSize in [1, 4, 100] {
            #expect(throws: CSVSyntaxError(line: 2, reason: "quoted value is not closed before the end of the file")) {
                _ = try records("a,b\n1,\"open\n2,3", chunkSize: chunkSize)
            }
        }
    }

    @Test func textAfterAClosingQuoteIsAnError() {
        #expect(throws: CSVSyntaxError(line: 3, reason: "unexpected character after a closing quote")) {
            _ = try records("a\nb\n\"c\"d\n", chunkSize: 3)
        }
    }

    @Test func anOverlongRecordIsAnErrorNotUnboundedMemory() {
        let long = String(repeating: "x", count: CSVScanner.maximumRecordLength + 1)
        #expect(throws: CSVSyntaxError.self) { _ = try records("a\n" + long, chunkSize: 1 << 16) }
    }
}
