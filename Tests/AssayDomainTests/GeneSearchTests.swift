import AssayDomain
import Testing

@Suite("Trigram similarity and gene ranking")
struct GeneSearchTests {
    @Test func similarityMatchesPgTrgm() {
        // Values as Postgres' pg_trgm returns them (its documentation's example, and hand-counted trigrams).
        #expect(Trigrams.similarity("word", "two words") == Float(4) / Float(11))
        #expect(Trigrams.similarity("BRAC", "BRCA1") == Float(2) / Float(9))
        #expect(Trigrams.similarity("brca1", "BRCA1") == 1)
        #expect(Trigrams.similarity("", "BRCA1") == 0)
        #expect(Trigrams.similarity("%", "%") == 0)
        #expect(Trigrams(" cat ").set.count == 4)
        #expect(Trigrams("HLA-A").set == Trigrams("hla a").set)
    }

    @Test func matchTiers() throws {
        let query = try GeneSearch.Query(" Brca ")
        #expect(query.text == "Brca")
        func kind(_ name: String) -> GeneMatchKind? { GeneSearch.match(name: name, trigrams: Trigrams(name), query: query)?.kind }
        #expect(kind("BRCA") == .exact)
        #expect(kind("BRCA1") == .prefix)
        #expect(kind("XBRCA") == .substring)
        #expect(kind("BRC") == .fuzzy)
        #expect(kind("TP53") == nil)
    }

    @Test func rankingOrdersByTierThenSimilarityThenNameThenId() {
        func match(_ id: Int64, _ name: String, _ kind: GeneMatchKind, _ similarity: Float) -> GeneMatch {
            GeneMatch(gene: Gene(id: id, name: name), kind: kind, similarity: similarity)
        }
        let shuffled = [
            match(5, "Z", .fuzzy, 0.9), match(4, "b", .prefix, 0.5), match(3, "A", .prefix, 0.5),
            match(2, "c", .prefix, 0.7), match(1, "e", .exact, 1), match(6, "a", .prefix, 0.5),
        ]
        let ranked = shuffled.sorted(by: GeneSearch.ranksBefore).map(\.gene.id)
        #expect(ranked == [1, 2, 3, 6, 4, 5])
    }

    @Test func queryValidation() {
        #expect(throws: ValidationError([FieldError(field: "q", reason: "must not be empty")])) { try GeneSearch.Query("  ") }
        #expect(throws: ValidationError.self) { try GeneSearch.Query(String(repeating: "a", count: 201)) }
    }
}
