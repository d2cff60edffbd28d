import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AssayServer

@Suite("JSONWriter")
struct JSONWriterTests {
    /// The hand-written page must say exactly what JSONEncoder says for the same sets.
    @Test func genesetPageMatchesJSONEncoder() throws {
        let awkward = ["plain", "quote \" and backslash \\", "tab\tnew\nline\r", "bell \u{7} nul \u{0}", "naïve ü 🧬", "</script>", ""]
        let dates = [-86_401.5, 0, 951_782_400, 1_700_000_000.999, 4_102_444_799].map(Date.init(timeIntervalSince1970:))
        let sets = awkward.enumerated().map { index, text in
            Geneset(
                id: Int64(index + 1), title: text, genes: [Gene(id: 7, name: "A\\B"), Gene(id: Int64.max, name: text)],
                createdAt: dates[index % dates.count], updatedAt: dates[(index + 1) % dates.count])
        }
        for page in [Page(items: sets, nextCursor: "abc-_"), Page(items: [], nextCursor: nil)] {
            let written = try JSONSerialization.jsonObject(with: Data(buffer: GenesetPageBody(page: page).bytes()))
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let expected = try JSONSerialization.jsonObject(with: encoder.encode(PageResponse(page, transform: GenesetResponse.init)))
            #expect(NSDictionary(dictionary: try #require(written as? [String: Any])).isEqual(to: try #require(expected as? [String: Any])))
        }
    }
}
