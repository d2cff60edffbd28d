import AssayDomain
import Testing

@Suite("GMT writer")
struct GMTWriterTests {
    @Test func writesOneTabSeparatedLine() {
        let bytes = GMTWriter.line(name: "S1", description: "", genes: ["A", "B"])
        #expect(bytes == Array("S1\t\tA\tB\n".utf8))
    }

    @Test func descriptionCannotBreakTheColumns() {
        let bytes = GMTWriter.line(name: "S1", description: " a\tb\nc\0 ", genes: ["A"])
        #expect(bytes == Array("S1\ta b c\tA\n".utf8))
    }

    @Test func readWriteReadWriteIsByteIdentical() {
        let file = "S1\t\tA\tb\ta\r\n\r\nS2\t  na \tC\t\tD\t\nS3\thttp://x/y?z=1\tE\rBAD\nS4\tdé scription\tF"
        let first = GMTReader.read(Array(file.utf8))
        let written = first.records.flatMap { GMTWriter.line(for: $0) }
        #expect(written == Array("S1\t\tA\tb\nS2\tna\tC\tD\nS3\thttp://x/y?z=1\tE\nS4\tdé scription\tF\n".utf8))
        let second = GMTReader.read(written)
        #expect(second.problems.isEmpty)
        #expect(second.records.map(\.name) == first.records.map(\.name))
        #expect(second.records.map(\.genes) == first.records.map(\.genes))
        #expect(second.records.map(\.description) == first.records.map(\.description))
        #expect(second.records.flatMap { GMTWriter.line(for: $0) } == written)
    }
}
