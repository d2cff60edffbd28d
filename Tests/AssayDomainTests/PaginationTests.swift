import AssayDomain
import Testing

@Suite("Pagination")
struct PaginationTests {
    @Test func cursorRoundTripsAndIsUrlSafe() throws {
        for id: Int64 in [0, 1, 62, 63, 1_000_000, Int64.max] {
            let token = Cursor(kind: "genesets", afterID: id).token
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(try Cursor(token: token, kind: "genesets").afterID == id)
        }
    }

    @Test func cursorOfAnotherListOrGarbageIsRefused() {
        let genes = Cursor(kind: "genes", afterID: 5).token
        #expect(throws: PaginationError.invalidCursor) { try Cursor(token: genes, kind: "genesets") }
        for garbage in ["", "!!!", "abc", "Z2VuZXNldHM6LTE", String(repeating: "A", count: 100), "Z2VuZXNldHM6eA"] {
            #expect(throws: PaginationError.invalidCursor) { try Cursor(token: garbage, kind: "genesets") }
        }
    }

    @Test func limitDefaultsAndBounds() throws {
        #expect(try PageRequest(limit: nil, cursor: nil, kind: "k").limit == 50)
        #expect(try PageRequest(limit: 500, cursor: nil, kind: "k").limit == 500)
        #expect(throws: PaginationError.limitOutOfRange(501)) { try PageRequest(limit: 501, cursor: nil, kind: "k") }
        #expect(throws: PaginationError.limitOutOfRange(0)) { try PageRequest(limit: 0, cursor: nil, kind: "k") }
        #expect(try PageRequest(limit: 10, cursor: "", kind: "k").afterID == nil)
    }

    @Test func pageFromOverFetchedRowsSetsCursorOnlyWhenMoreExist() throws {
        let full = Page(fetched: [1, 2, 3, 4] as [Int64], limit: 3, kind: "k") { $0 }
        #expect(full.items == [1, 2, 3])
        #expect(try Cursor(token: try #require(full.nextCursor), kind: "k").afterID == 3)
        let last = Page(fetched: [1, 2, 3] as [Int64], limit: 3, kind: "k") { $0 }
        #expect(last.items == [1, 2, 3] && last.nextCursor == nil)
    }
}
