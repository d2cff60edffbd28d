import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AssayDomain
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

    /// Numbers as the API's `JSONEncoder` writes them, byte for byte.
    @Test func numbersMatchJSONEncoder() throws {
        let values: [Double] = [0, 1, -1, 0.1, 19.99, 3.5, 100, 1e-5, 123_456_789.01, 92_233_720_368_547.75, 1e21, 0.000_1, 2.0 / 3.0]
        var writer = JSONWriter()
        writer.raw("[")
        for (index, value) in values.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.number(value)
        }
        writer.raw("]")
        let expected = try AppRequestContext.makeEncoder().encode(values)
        #expect(String(buffer: writer.buffer) == String(decoding: expected, as: UTF8.self))
    }

    /// The analytics body: every field, sorted keys, `cost_per_view` null without views.
    @Test func analyticsBodyHasEveryFieldInSortedOrder() throws {
        let window = try AnalyticsWindow(days: 7, endingAfter: Date(timeIntervalSince1970: 1_700_000_030))
        let withViews = AnalyticsReport(
            productID: 42, window: window, figures: AnalyticsFigures(views: 8, uniqueViewers: 3, totalCost: Money(cents: 1_999)), cached: true)
        #expect(
            String(buffer: AnalyticsResponse(report: withViews).bytes())
                == #"{"cached":true,"cost_per_view":2.49875,"days":7,"product_id":42,"total_cost":19.99,"unique_viewers":3,"views":8,"#
                + #""window_end":"2023-11-14T22:14:00Z","window_start":"2023-11-07T22:14:00Z"}"#)
        let none = AnalyticsReport(
            productID: 1, window: window, figures: AnalyticsFigures(views: 0, uniqueViewers: 0, totalCost: Money(cents: 0)), cached: false)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(buffer: AnalyticsResponse(report: none).bytes())) as? [String: Any])
        #expect(parsed["cost_per_view"] is NSNull && parsed["total_cost"] as? Int == 0 && parsed["cached"] as? Bool == false)
    }

    /// The written enrichment answer is byte for byte the API encoder's, with and without resolution reports, for
    /// awkward titles and genes, tiny and huge numbers, signed zeros and absent collections.
    @Test func enrichmentResponseMatchesJSONEncoder() throws {
        let awkward = ["plain", "quote \" and backslash \\", "tab\tnew\nline", "bell \u{7}", "naïve 🧬", "http://x/y", ""]
        let numbers: [Double] = [0, -0.0, 1, 1e-300, .leastNonzeroMagnitude, 0.1, 2.0 / 3.0, 123_456.789, 1e21, 7]
        let terms = (0..<23).map { index in
            let number = { (offset: Int) in numbers[(index + offset) % numbers.count] }
            return EnrichmentTerm(
                id: Int64(index) * 1_000_003, title: awkward[index % awkward.count], collectionID: index % 3 == 0 ? nil : Int64(index),
                setSize: index * 7, overlap: index, overlapGenes: Array(awkward.prefix(index % 5)), logP: -number(0),
                p: number(1), adjustedP: number(2), oddsRatio: number(3), combinedScore: number(4))
        }
        let result = EnrichmentResult(
            terms: terms, testedSetCount: 4_000, backgroundSize: 20_000, listSize: 300, unmapped: awkward, unannotated: ["X"],
            duplicates: [], backgroundDuplicates: 0)
        let reference = try GeneReferenceIndex(
            species: .human,
            records: [
                GeneReferenceRecord(species: .human, ensemblID: "ENSG1", symbol: "NEW1", alias: "OLD1"),
                GeneReferenceRecord(species: .human, ensemblID: "ENSG2", symbol: "NEW2", alias: "OLD1"),
            ])
        let renaming = GeneRenamingResponse(GeneRenaming(reference.resolve(["OLD1", "new1", "nothing/here"])), species: .human)
        for (collection, viewer) in [(nil, Viewer.system), (Int64(9), Viewer(user: "ann \"a/b\"", isAdmin: false))] {
            var response = EnrichmentResponse(result, collection: collection, species: .human, viewer: viewer)
            for resolutions in [(nil, nil), (renaming, nil), (renaming, renaming)] as [(GeneRenamingResponse?, GeneRenamingResponse?)] {
                response.resolution = resolutions.0
                response.backgroundResolution = resolutions.1
                let expected = String(decoding: try AppRequestContext.makeEncoder().encode(response), as: UTF8.self)
                #expect(String(buffer: try response.bytes()) == expected)
            }
        }
    }
}
