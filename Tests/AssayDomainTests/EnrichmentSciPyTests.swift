import AssayDomain
import Foundation
import Testing

/// One tail to check: P(X >= x) for X ~ Hypergeometric(n, m, k).
private struct TailCase: CustomStringConvertible {
    var x: Int
    var n: Int
    var m: Int
    var k: Int
    var description: String { "x=\(x) N=\(n) m=\(m) k=\(k)" }
}

/// SciPy's `hypergeom.sf` for every case, and `logsf` where the tail underflows a double's normal range.
///
/// Boost's algorithms behind `sf` and SciPy's log-sum of `betaln` terms behind `logsf` share no code with ours.
private let sciPyScript = """
    import sys
    from scipy.stats import hypergeom
    out = []
    for line in open(sys.argv[1]):
        x, n, m, k = map(int, line.split())
        sf = float(hypergeom.sf(x - 1, n, m, k))
        logsf = float(hypergeom.logsf(x - 1, n, m, k)) if sf < 1e-300 else 0.0
        out.append(f"{sf!r} {logsf!r}")
    print("\\n".join(out))
    """

/// A Python that imports SciPy: `/usr/bin/python3` (Debian's python3-scipy, what CI installs), else `python3` on PATH.
private func pythonWithSciPy() -> [String]? {
    for command in [["/usr/bin/python3"], ["/usr/bin/env", "python3"]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["-c", "import scipy.stats"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { continue }
        process.waitUntilExit()
        if process.terminationStatus == 0 { return command }
    }
    return nil
}

/// Random cases over every scale, seeded, plus the edges of the support.
private func tailCases(count: Int) -> [TailCase] {
    var random = SplitMix64(seed: 20_260_415)
    var cases: [TailCase] = []
    func add(x: Int, n: Int, m: Int, k: Int) { cases.append(TailCase(x: x, n: n, m: m, k: k)) }
    while cases.count < count {
        let n: Int
        switch cases.count % 4 {
        case 0: n = Int.random(in: 1...40, using: &random)
        case 1: n = Int.random(in: 41...5_000, using: &random)
        case 2: n = Int.random(in: 5_001...60_000, using: &random)
        default: n = Int.random(in: 60_001...2_000_000, using: &random)
        }
        let m = Int.random(in: 0...min(n, 60_000), using: &random)
        let k = Int.random(in: 0...min(n, 60_000), using: &random)
        let lowest = max(0, k + m - n)
        let highest = min(k, m)
        let mean = Double(k) * Double(m) / Double(n)
        let spread = max(1, Int((mean * (1 - Double(m) / Double(n)) * (1 - Double(k) / Double(n))).squareRoot()))
        // Half near the mean (p anywhere in (0, 1)), half anywhere in the support (mostly astronomically small).
        let x: Int
        switch Int.random(in: 0..<8, using: &random) {
        case 0: x = highest
        case 1: x = lowest + 1
        case 2, 3: x = Int.random(in: (lowest - 1)...(highest + 1), using: &random)
        default: x = Int(mean) + Int.random(in: -3 * spread...8 * spread, using: &random)
        }
        add(x: x, n: n, m: m, k: k)
    }
    // Edges named in the issue: an empty list, the whole population drawn, a set that is the population.
    for n in [1, 2, 17, 20_000, 1_000_000] {
        add(x: 1, n: n, m: n / 2, k: 0)
        add(x: n / 2, n: n, m: n / 2, k: n)
        add(x: n / 2 + 1, n: n, m: n / 2, k: n)
        add(x: 1, n: n, m: n, k: n / 3)
        add(x: n / 3, n: n, m: n, k: n / 3)
        add(x: min(n / 3, n / 4), n: n, m: n / 4, k: n / 3)
    }
    // Deep tails: a list wholly inside a set of a large background (p near 1e-300 and far below).
    for (n, m, k) in [(20_000, 200, 120), (20_000, 500, 500), (30_000, 1_000, 400), (1_000_000, 5_000, 5_000), (2_000_000, 60_000, 60_000)] {
        for x in stride(from: 1, through: min(m, k), by: max(1, min(m, k) / 25)) { add(x: x, n: n, m: m, k: k) }
        add(x: min(m, k), n: n, m: m, k: k)
    }
    return cases
}

@Suite("Hypergeometric tail against SciPy")
struct EnrichmentSciPyTests {
    /// Never skipped: without SciPy this fails and says how to install it (`make test` installs python3-scipy).
    @Test func matchesSciPyOnThousandsOfCases() async throws {
        guard let python = try await offPool({ pythonWithSciPy() }) else {
            Issue.record(
                """
                no Python with SciPy: neither /usr/bin/python3 nor python3 on PATH can `import scipy.stats`. \
                Run scripts/install-system-packages.sh (Debian package python3-scipy).
                """)
            return
        }
        let cases = tailCases(count: 2_400)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-scipy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("cases.txt")
        try cases.map { "\($0.x) \($0.n) \($0.m) \($0.k)" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + ["-c", sciPyScript, input.path]
        let output = Pipe()
        process.standardOutput = output
        let data = try await offPool {
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        try #require(process.terminationStatus == 0, "the SciPy helper failed")
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == cases.count)

        var underflowed = 0
        var worst = 0.0
        for (tailCase, line) in zip(cases, lines) {
            let fields = line.split(separator: " ").compactMap { Double($0) }
            try #require(fields.count == 2, "unreadable SciPy output \(line)")
            let (sf, logsf) = (fields[0], fields[1])
            let tail = try #require(HypergeometricTail(atLeast: tailCase.x, population: tailCase.n, successes: tailCase.m, draws: tailCase.k))
            if sf >= 1e-300 {
                let error = abs(tail.p - sf) / sf
                worst = max(worst, error)
                #expect(error <= 1e-9, "\(tailCase): p \(tail.p) vs SciPy \(sf)")
            } else if logsf == -.infinity {
                #expect(tail.logP == -.infinity, "\(tailCase): log p \(tail.logP), impossible for SciPy")
            } else {
                underflowed += 1
                let error = abs(tail.logP - logsf) / abs(logsf)
                #expect(error <= 1e-9, "\(tailCase): log p \(tail.logP) vs SciPy \(logsf)")
                #expect(tail.logP.isFinite)
            }
        }
        // The deep-tail cases must really reach the log comparison.
        #expect(underflowed >= 100, "only \(underflowed) cases below 1e-300")
        print("SciPy comparison: \(cases.count) cases, \(underflowed) compared in log space, worst relative error on p \(worst)")
    }
}
