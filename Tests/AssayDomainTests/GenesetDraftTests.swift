import AssayDomain
import Testing

@Suite("GenesetDraft validation")
struct GenesetDraftTests {
    @Test func trimsTitleAndNames() throws {
        let draft = try GenesetDraft(title: "  Great Genes\n", geneNames: [" BRCA1 ", "TP53"])
        #expect(draft.title == "Great Genes")
        #expect(draft.geneNames == ["BRCA1", "TP53"])
    }

    @Test func reportsEveryBrokenRuleWithItsField() {
        #expect {
            try GenesetDraft(title: "   ", geneNames: ["BRCA1", "", "brca1", "has space", "a/b"])
        } throws: { error in
            guard let error = error as? ValidationError else { return false }
            return error.errors.map(\.field) == ["title", "genes[1].name", "genes[2].name", "genes[3].name", "genes[4].name"]
                && error.errors[2].reason.contains("duplicate of genes[0].name")
        }
    }

    @Test func refusesOverLongTitleControlCharactersAndEmptyGeneList() {
        let long = String(repeating: "x", count: GenesetRules.maximumTitleLength + 1)
        #expect(throws: ValidationError([FieldError(field: "title", reason: "must be at most 200 characters")])) {
            try GenesetDraft(title: long, geneNames: ["A"])
        }
        #expect(throws: ValidationError.self) { try GenesetDraft(title: "bell\u{7}", geneNames: ["A"]) }
        #expect(throws: ValidationError([FieldError(field: "genes", reason: "must contain at least one gene")])) {
            try GenesetDraft(title: "Empty", geneNames: [])
        }
        let tooMany = (0...GenesetRules.maximumGenesPerSet).map { "G\($0)" }
        #expect(throws: ValidationError.self) { try GenesetDraft(title: "Huge", geneNames: tooMany) }
    }

    @Test func acceptsWildcardCharactersInGeneNames() throws {
        let draft = try GenesetDraft(title: "Odd", geneNames: ["A%B", "A_B", #"A\B"#, "HLA-DRB1*15:01"])
        #expect(draft.geneNames.count == 4)
    }

    @Test func titleLengthCountsCharactersNotBytes() throws {
        let title = String(repeating: "é", count: GenesetRules.maximumTitleLength)
        #expect(try GenesetDraft(title: title, geneNames: ["A"]).title == title)
    }
}
