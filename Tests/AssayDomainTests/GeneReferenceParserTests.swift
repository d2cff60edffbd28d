import AssayDomain
import Testing

/// Parses `text` fed in the given chunks; returns (line, record) pairs and the parser's skip count.
private func parse(_ text: String, splits: [Int] = []) throws -> (records: [(Int, GeneReferenceRecord)], skipped: Int) {
    let bytes = Array(text.utf8)
    var parser = GeneReferenceParser()
    var found: [(Int, GeneReferenceRecord)] = []
    var start = 0
    for end in splits + [bytes.count] {
        try parser.feed(bytes[start..<end]) { found.append(($1, $0)) }
        start = end
    }
    try parser.finish { found.append(($1, $0)) }
    return (found, parser.skippedRowsWithoutSymbol)
}

/// The format error parsing `text` throws.
private func formatError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> GeneReferenceFormatError? {
    #expect(throws: GeneReferenceFormatError.self, sourceLocation: sourceLocation) { _ = try parse(text) }
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error as? GeneReferenceFormatError
    }
}

private let header = "ensembl_id,gene_symbol,alias,alias_norm,source\n"

/// A small file in the real format, with the real file's features: a quoted alias holding a comma, a mouse row,
/// a row whose alias is the symbol, a row without a symbol, a last line without a line end.
private let sample =
    header + """
        ENSG00000164944,VIRMA,KIAA1429,kiaa1429,ensembl:human
        ENSG00000164944,VIRMA,VIRMA,virma,ensembl:human
        ENSG00000118960,HS1BP3,"HS1-BP3,FLJ14249",hs1bp3flj14249,ensembl:human
        ENSMUSG00000062783,,HSR,hsr,ensembl:mouse
        ENSMUSG00000036181,H1F2,Hist1h1c,hist1h1c,ensembl:mouse
        ENSMUSG00000030244,GYS2,"glycogen synthase, liver",glycogensynthaseliver,ensembl:mouse
        """

private let expectedSample: [(Int, GeneReferenceRecord)] = [
    (2, GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "VIRMA", alias: "KIAA1429")),
    (3, GeneReferenceRecord(species: .human, ensemblID: "ENSG00000164944", symbol: "VIRMA", alias: "VIRMA")),
    (4, GeneReferenceRecord(species: .human, ensemblID: "ENSG00000118960", symbol: "HS1BP3", alias: "HS1-BP3,FLJ14249")),
    (6, GeneReferenceRecord(species: .mouse, ensemblID: "ENSMUSG00000036181", symbol: "H1F2", alias: "Hist1h1c")),
    (7, GeneReferenceRecord(species: .mouse, ensemblID: "ENSMUSG00000030244", symbol: "GYS2", alias: "glycogen synthase, liver")),
]

@Suite("Gene reference parser")
struct GeneReferenceParserTests {
    @Test func readsTheRpgConvFormat() throws {
        let (records, skipped) = try parse(sample)
        #expect(records.map(\.0) == expectedSample.map(\.0))
        #expect(records.map(\.1) == expectedSample.map(\.1))
        #expect(skipped == 1)
    }

    @Test func givesTheSameRecordsWhereverAChunkEnds() throws {
        let count = sample.utf8.count
        for split in 0...count {
            let (records, _) = try parse(sample, splits: [split])
            #expect(records.map(\.1) == expectedSample.map(\.1), "split at byte \(split)")
            #expect(records.map(\.0) == expectedSample.map(\.0), "split at byte \(split)")
        }
        let (oneByteChunks, _) = try parse(sample, splits: Array(1..<count))
        #expect(oneByteChunks.map(\.1) == expectedSample.map(\.1))
    }

    @Test func acceptsCRLFABOMAndColumnsInAnyOrder() throws {
        let text = "\u{FEFF}source,alias,gene_symbol,ensembl_id,note\r\nensembl:human,C10ORF2,TWNK,ENSG00000107815,x\r\n"
        let (records, _) = try parse(text)
        #expect(records.map(\.0) == [2])
        #expect(records.map(\.1) == [GeneReferenceRecord(species: .human, ensemblID: "ENSG00000107815", symbol: "TWNK", alias: "C10ORF2")])
    }

    @Test func anEmptyAliasNamesTheSymbol() throws {
        let (records, _) = try parse(header + "ENSG00000147443,DOK2,,,ensembl:human\n")
        #expect(records.map(\.1.alias) == ["DOK2"])
        #expect(records.first?.1.aliasIsSymbol == true)
    }

    @Test func reportsMalformedLinesWithTheirLine() {
        let cases: [(String, Int, String)] = [
            ("", 1, "empty"),
            ("ensembl_id,gene_symbol,source\n", 1, "lacks alias"),
            ("ensembl_id,gene_symbol,alias,alias,source\n", 1, "twice"),
            (header + "ENSG00000164944,VIRMA,KIAA1429,ensembl:human\n", 2, "expected 5 values"),
            (header + "ENSG00000164944,VIRMA,KIAA1429,kiaa1429,ensembl:human,extra\n", 2, "found 6"),
            (header + "ENSG00000164944,VIRMA,VIRMA,virma,ensembl:human\nENSG1,X,Y,y,ensembl:rat\n", 3, "source 'ensembl:rat'"),
            (header + "ENSMUSG00000040720,VIRMA,VIRMA,virma,ensembl:human\n", 2, "not a human gene id"),
            (header + "ENSG00000164944,VIRMA,VIRMA,virma,ensembl:mouse\n", 2, "not a mouse gene id"),
            (header + "ENSG,VIRMA,VIRMA,virma,ensembl:human\n", 2, "not a human gene id"),
            (header + "ENSG00000164944,VIR MA,VIRMA,virma,ensembl:human\n", 2, "gene_symbol 'VIR MA'"),
            (header + "\n\nENSG00000164944,VIRMA,\"KIAA1429,kiaa1429,ensembl:human\n", 4, "not closed"),
            (header + "ENSG00000164944,VIRMA,\"KIAA\"1429,kiaa1429,ensembl:human\n", 2, "after a closing quote"),
        ]
        for (text, line, reason) in cases {
            let error = formatError(text)
            #expect(error?.line == line, "\(text.debugDescription)")
            #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "no error") lacks \(reason)")
        }
    }

    @Test func invalidUTF8IsAFormatError() throws {
        var bytes = Array((header + "ENSG00000164944,VIRMA,KIAA").utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(",kiaa,ensembl:human\n".utf8)
        var parser = GeneReferenceParser()
        #expect(throws: GeneReferenceFormatError(line: 2, reason: "alias is not valid UTF-8")) {
            try parser.feed(bytes) { _, _ in }
        }
    }

    @Test func errorsOfTheCallerPassThrough() throws {
        struct Stop: Error {}
        var parser = GeneReferenceParser()
        #expect(throws: Stop.self) {
            try parser.feed(Array(sample.utf8)) { _, _ in throw Stop() }
        }
    }

    @Test func batchesKeepOneSpeciesAcrossChunksAndBatches() async throws {
        let bytes = Array(sample.utf8)
        for chunkSize in [1, 7, 64, 4096] {
            let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
                var start = 0
                while start < bytes.count {
                    continuation.yield(Array(bytes[start..<min(start + chunkSize, bytes.count)]))
                    start += chunkSize
                }
                continuation.finish()
            }
            var batches: [[GeneReferenceRecord]] = []
            for try await batch in GeneReferenceBatches(species: .mouse, chunks: chunks, batchSize: 1) { batches.append(batch) }
            #expect(batches == [[expectedSample[3].1], [expectedSample[4].1]], "chunk size \(chunkSize)")
        }
    }

    @Test func batchesEndWithTheFormatError() async throws {
        let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
            continuation.yield(Array((header + "ENSG00000164944,VIRMA,VIRMA,virma,ensembl:human\nbroken\n").utf8))
            continuation.finish()
        }
        await #expect(throws: GeneReferenceFormatError.self) {
            for try await _ in GeneReferenceBatches(species: .human, chunks: chunks) {}
        }
    }
}
