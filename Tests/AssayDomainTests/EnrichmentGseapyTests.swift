import AssayDomain
import Foundation
import Testing

/// Runs gseapy's offline `enrich` on a JSON case and prints one JSON row per term, floats exact.
private let gseapyScript = """
    import json, sys, logging
    logging.disable(logging.CRITICAL)
    import gseapy
    case = json.load(open(sys.argv[1]))
    enr = gseapy.enrich(gene_list=case["list"], gene_sets=case["sets"], background=case["background"], outdir=None, no_plot=True)
    rows = []
    res = getattr(enr, "res2d", None)
    if res is not None:
        for _, r in res.iterrows():
            x, m = r["Overlap"].split("/")
            rows.append({"term": r["Term"], "x": int(x), "m": int(m), "p": float(r["P-value"]),
                         "q": float(r["Adjusted P-value"]), "or": float(r["Odds Ratio"]),
                         "score": float(r["Combined Score"]), "genes": sorted(r["Genes"].split(";"))})
    print(json.dumps(rows))
    """

/// A Python that imports gseapy, if any: gseapy is not a Debian package, so `make test` does not install it.
private func pythonWithGseapy() -> [String]? {
    for command in [["/usr/bin/python3"], ["/usr/bin/env", "python3"]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["-c", "import gseapy"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { continue }
        process.waitUntilExit()
        if process.terminationStatus == 0 { return command }
    }
    return nil
}

private struct GseapyRow: Decodable {
    var term: String
    var x: Int
    var m: Int
    var p: Double
    var q: Double
    var or: Double
    var score: Double
    var genes: [String]
}

private func relativeError(_ value: Double, _ expected: Double) -> Double {
    value == expected ? 0 : abs(value - expected) / abs(expected)
}

/// The whole result against gseapy 1.3.1 (`pip install gseapy`): overlap, set size, p, adjusted p, odds ratio,
/// combined score and genes, for the three kinds of background.
///
/// OPTIONAL: this test runs only where a Python can `import gseapy` and is reported as skipped elsewhere
/// (CI installs SciPy, not gseapy). The statistics themselves are always checked against SciPy
/// (EnrichmentSciPyTests); this one checks the conventions (what k, m and N are) on top.
@Suite("Enrichment against gseapy", .enabled(if: pythonWithGseapy() != nil, "needs a Python with gseapy (pip install gseapy)"))
struct EnrichmentGseapyTests {
    @Test(arguments: ["none", "genes", "size"])
    func matchesGseapyEnrich(background kind: String) async throws {
        let python = try #require(try await offPool { pythonWithGseapy() })
        var random = SplitMix64(seed: 15, stream: UInt64(kind.utf8.count))
        let universe = (0..<3_000).map { "G\($0)" }
        var sets: [String: [String]] = [:]
        for id in 0..<300 {
            let size = Int.random(in: 3...250, using: &random)
            // Sets drawn from a corner of the universe overlap the list strongly: small p-values too.
            let pool = id % 10 == 0 ? Array(universe.prefix(400)) : universe
            sets["S\(id)"] = Array(pool.shuffled(using: &random).prefix(size))
        }
        var list = Array(universe.prefix(400).shuffled(using: &random).prefix(120))
        list += universe.shuffled(using: &random).prefix(80)
        list += ["NOTASET1", "NOTASET2", list[0], list[1]]  // Genes in no set; exact repeats.
        let background: EnrichmentQuery.Background
        let backgroundJSON: Any
        switch kind {
        case "genes":
            let names = Array(universe.shuffled(using: &random).prefix(2_200)) + ["NOTASET1", "EXTRA1", "EXTRA2"]
            background = .genes(names)
            backgroundJSON = names
        case "size":
            background = .size(20_000)
            backgroundJSON = 20_000
        default:
            background = .sets
            backgroundJSON = NSNull()
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-gseapy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("case.json")
        try JSONSerialization.data(withJSONObject: ["sets": sets, "list": list, "background": backgroundJSON]).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + ["-c", gseapyScript, input.path]
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let data = try await offPool {
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        try #require(process.terminationStatus == 0, "gseapy failed")
        // gseapy may print log lines before the JSON: take the last line.
        let lastLine = try #require(String(decoding: data, as: UTF8.self).split(separator: "\n").last)
        let expected = try JSONDecoder().decode([GseapyRow].self, from: Data(lastLine.utf8))

        let library = sets.map { name, genes in
            EnrichmentGeneset(id: Int64(name.dropFirst()) ?? -1, title: name, geneNames: genes)
        }
        let query = try EnrichmentQuery(genes: list, background: background, limit: 1_000)
        let result = try EnrichmentAnalysis(index: EnrichmentIndex(library)).run(query)
        let ours = Dictionary(uniqueKeysWithValues: result.terms.map { ($0.title, $0) })

        #expect(result.testedSetCount == expected.count)
        #expect(Set(ours.keys) == Set(expected.map(\.term)))
        var worst = 0.0
        for row in expected {
            guard let term = ours[row.term] else { continue }
            #expect(term.overlap == row.x && term.setSize == row.m, "\(row.term)")
            #expect(term.overlapGenes.sorted() == row.genes, "\(row.term)")
            #expect(relativeError(term.p, row.p) <= 1e-9, "\(row.term): p \(term.p) vs \(row.p)")
            #expect(relativeError(term.adjustedP, row.q) <= 1e-9, "\(row.term): adjusted \(term.adjustedP) vs \(row.q)")
            #expect(term.oddsRatio == row.or, "\(row.term): odds ratio \(term.oddsRatio) vs \(row.or)")
            // gseapy's score is inf where its p underflowed to 0; ours stays finite by design.
            if row.p > 0 {
                #expect(relativeError(term.combinedScore, row.score) <= 1e-9, "\(row.term): score \(term.combinedScore) vs \(row.score)")
            }
            worst = max(worst, relativeError(term.p, row.p), relativeError(term.adjustedP, row.q))
        }
        #expect(expected.count > 50)
        print("gseapy comparison (\(kind)): \(expected.count) terms, worst relative error on p and adjusted p \(worst)")
    }
}
