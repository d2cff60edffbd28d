import AssayDomain
import Testing

/// Reads `bytes` in the given chunks and returns records and problems in order.
private func read(_ bytes: [UInt8], cuts: [Int]) -> (records: [GMTRecord], problems: [GMTProblem]) {
    var reader = GMTReader()
    var records: [GMTRecord] = []
    var problems: [GMTProblem] = []
    let collect: (Result<GMTRecord, GMTProblem>) -> Void = { result in
        switch result {
        case .success(let record): records.append(record)
        case .failure(let problem): problems.append(problem)
        }
    }
    var start = 0
    for cut in cuts + [bytes.count] {
        reader.feed(bytes[start..<cut], collect)
        start = cut
    }
    reader.finish(collect)
    return (records, problems)
}

private func read(_ text: String) -> (records: [GMTRecord], problems: [GMTProblem]) {
    GMTReader.read(Array(text.utf8))
}

@Suite("GMT reader")
struct GMTReaderTests {
    @Test func readsSetsWithLineNumbers() {
        let (records, problems) = read("HALLMARK_A\thttp://www.gsea-msigdb.org/a\tTP53\tMDM2\n\nSET_B\tna\tEGFR\n")
        #expect(problems.isEmpty)
        #expect(
            records == [
                GMTRecord(line: 1, name: "HALLMARK_A", description: "http://www.gsea-msigdb.org/a", genes: ["TP53", "MDM2"]),
                GMTRecord(line: 3, name: "SET_B", description: "na", genes: ["EGFR"]),
            ])
    }

    @Test func emptyDescriptionNeverShiftsTheFirstGene() {
        let (records, problems) = read("S1\t\tA\tB")
        #expect(problems.isEmpty)
        #expect(records.first?.description == "")
        #expect(records.first?.genes == ["A", "B"])
    }

    @Test func lineEndsAndBlankLines() {
        let expected = [["A", "B"], ["C"], ["D"]]
        for text in ["S1\tx\tA\tB\r\nS2\tx\tC\r\n\r\nS3\tx\tD\r\n", "S1\tx\tA\tB\nS2\tx\tC\n \t \nS3\tx\tD", "S1\tx\tA\tB\rS2\tx\tC\r\rS3\tx\tD\r"] {
            let (records, problems) = read(text)
            #expect(problems.isEmpty, "\(text.debugDescription)")
            #expect(records.map(\.genes) == expected, "\(text.debugDescription)")
            #expect(records.map(\.line) == [1, 2, 4], "\(text.debugDescription)")
        }
    }

    @Test func emptyGeneFieldsAreDroppedAndRepeatsCountOnce() {
        let (records, problems) = read("S1\tdesc\tA\t\tB\ta\tB \t\t\n")
        #expect(problems.isEmpty)
        #expect(records.first?.genes == ["A", "B"])
        #expect(records.first?.duplicateGenes == ["a", "B"])
    }

    @Test func linesWithTooFewFieldsOrNoGenesAreProblems() {
        let (records, problems) = read("ONLY_NAME\nNAME\tdesc\nNO_GENES\tdesc\t\t\nOK\td\tG\n")
        #expect(records.map(\.name) == ["OK"])
        #expect(problems.map(\.line) == [1, 2, 3])
        #expect(problems.map(\.setName) == ["ONLY_NAME", "NAME", "NO_GENES"])
        #expect(problems[2].reason == "has no genes")
    }

    @Test func badNamesAndGenesAreReportedPerLine() {
        let (records, problems) = read("\tdesc\tA\nS2\tdesc\tGOOD\tBAD GENE\tX/Y\n")
        #expect(records.isEmpty)
        #expect(problems.map(\.line) == [1, 2, 2])
        #expect(problems[0].reason == "set name must not be empty")
        #expect(problems[1].reason.hasPrefix("gene in column 4 ") && problems[2].reason.hasPrefix("gene in column 5 "))
        #expect(problems[1].setName == "S2")
    }

    @Test func repeatedSetNamesAreAProblemOnTheLaterLine() {
        let (records, problems) = read("S1\td\tA\nS2\td\tB\ns1\td\tC\n")
        #expect(records.map(\.name) == ["S1", "S2"])
        #expect(problems == [GMTProblem(line: 3, setName: "s1", reason: "repeats the name of an earlier set")])
    }

    @Test func invalidUTF8AndNULAreRefusedWithTheirLine() {
        var bytes = Array("S1\td\tA\n".utf8)
        bytes += Array("S2\td\t".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        bytes += Array("S3\td\tB".utf8) + [0] + Array("\n".utf8)
        bytes += Array("S4\td\tC\n".utf8)
        let (records, problems) = GMTReader.read(bytes)
        #expect(records.map(\.name) == ["S1", "S4"])
        #expect(
            problems == [
                GMTProblem(line: 2, setName: nil, reason: "is not valid UTF-8"),
                GMTProblem(line: 3, setName: nil, reason: "contains a NUL byte"),
            ])
    }

    @Test func anOverlongLineIsRefusedAndReadingGoesOn() {
        var bytes = Array("BIG\td".utf8)
        let gene = Array("\tGENE".utf8)
        while bytes.count <= GMTRules.maximumLineLength { bytes += gene }
        bytes += Array("\nNEXT\td\tA\n".utf8)
        let (records, problems) = read(bytes, cuts: [1_000, 3_000_000])
        #expect(records.map(\.name) == ["NEXT"])
        #expect(records.first?.line == 2)
        #expect(problems.map(\.line) == [1])
    }

    @Test func largeSetsUpToTheImportLimit() {
        let genes = (0..<6_000).map { "G\($0)" }
        let (records, problems) = read("BIG\td\t" + genes.joined(separator: "\t"))
        #expect(problems.isEmpty)
        #expect(records.first?.genes.count == 6_000)
        let tooMany = (0...GMTRules.maximumGenesPerSet).map { "G\($0)" }
        let refused = read("HUGE\td\t" + tooMany.joined(separator: "\t"))
        #expect(refused.records.isEmpty)
        #expect(refused.problems.count == 1)
    }

    @Test func sameResultWhateverTheChunkBoundaries() {
        var bytes = Array("S1\t\tA\tb\r\n\r\nS2\tna\tC\tc\t\r\nBAD\r\nS3\thttp://x\tD\rS4\td\tE\nS1\td\tF".utf8)
        bytes += [0xE2, 0x82, 0xAC]  // A multi-byte character split across chunks (valid UTF-8, invalid gene name).
        bytes += Array("\r\nS5\tdé\tG".utf8)
        let whole = GMTReader.read(bytes)
        #expect(whole.records.map(\.line) == [1, 3, 5, 6, 8])
        #expect(whole.problems.map(\.line) == [4, 7])
        for cut in 0...bytes.count {
            let split = read(bytes, cuts: [cut])
            #expect(split.records == whole.records, "cut at \(cut)")
            #expect(split.problems == whole.problems, "cut at \(cut)")
        }
        for first in 0...bytes.count {
            for second in first...min(bytes.count, first + 3) {
                let split = read(bytes, cuts: [first, second])
                #expect(split.records == whole.records && split.problems == whole.problems, "cuts at \(first), \(second)")
            }
        }
        let bytewise = read(bytes, cuts: Array(1..<bytes.count))
        #expect(bytewise.records == whole.records && bytewise.problems == whole.problems)
    }
}
