import Testing

@testable import AssayDomain

/// Relative difference, 0 when both are equal (including both infinite).
private func relativeError(_ value: Double, _ expected: Double) -> Double {
    value == expected ? 0 : abs(value - expected) / abs(expected)
}

private func tail(_ x: Int, _ n: Int, _ m: Int, _ k: Int) throws -> HypergeometricTail {
    try #require(HypergeometricTail(atLeast: x, population: n, successes: m, draws: k))
}

@Suite("Enrichment statistics")
struct EnrichmentStatisticsTests {
    // Reference values: mpmath at 60 digits, summing exact log-binomial terms (see the report of issue 15).
    @Test(arguments: [
        (3, 10, 3, 3, -4.7874917427820459942),
        (5, 20_000, 200, 120, -4.9373983302779237564),
        (60, 20_000, 200, 120, -205.96931150983702226),
        (120, 20_000, 200, 120, -598.50193024082823429),
        (205, 30_000, 400, 400, -676.2930848065583563),
        (210, 30_000, 400, 400, -701.79959904478429658),
        (400, 30_000, 400, 400, -2120.4084795784684443),
        (5_000, 1_000_000, 5_000, 5_000, -31473.890901641657596),
        (60_000, 2_000_000, 60_000, 60_000, -269477.9315992932377),
        (2, 20_000, 10, 10, -11.502586805925957397),
        (1, 20_000, 500, 500, -2.701812160986019839e-6),
        (30, 100, 50, 50, -3.3334115895675502828),
        (700, 1_000_000, 20_000, 20_000, -99.749352886357871617),
    ])
    func logTailMatchesHighPrecision(x: Int, n: Int, m: Int, k: Int, expected: Double) throws {
        let value = try tail(x, n, m, k)
        #expect(relativeError(value.logP, expected) <= 1e-13, "log p \(value.logP) vs \(expected)")
    }

    @Test func pNearTheBottomOfTheDoubleRangeIsFiniteAndRight() throws {
        // 1.9482519481526683216e-294 and 1.630447176165182546e-305 (subnormal territory starts at 2.2e-308).
        #expect(relativeError(try tail(205, 30_000, 400, 400).p, 1.9482519481526683216e-294) <= 1e-12)
        #expect(relativeError(try tail(210, 30_000, 400, 400).p, 1.630447176165182546e-305) <= 1e-12)
        // Far below: p is 0 as a double, the log stays exact and finite.
        let deep = try tail(60_000, 2_000_000, 60_000, 60_000)
        #expect(deep.p == 0)
        #expect(deep.logP.isFinite && deep.logP < -269_000)
    }

    @Test func edgesOfTheSupport() throws {
        // An empty list: nothing can be drawn.
        #expect(try tail(0, 100, 10, 0).p == 1)
        #expect(try tail(1, 100, 10, 0).logP == -.infinity)
        // The whole population drawn: exactly m successes.
        #expect(try tail(10, 100, 10, 100).p == 1)
        #expect(try tail(11, 100, 10, 100).p == 0)
        // The set is the population: every draw is a success.
        #expect(try tail(7, 100, 100, 7).p == 1)
        #expect(try tail(8, 100, 100, 7).p == 0)
        // x = min(k, m): the single last term, 1 / C(10, 3).
        #expect(relativeError(try tail(3, 10, 3, 3).p, 1.0 / 120) <= 1e-14)
        // A set larger than the list: x can reach k only.
        #expect(relativeError(try tail(3, 10, 5, 3).p, 10.0 / 120) <= 1e-14)
        #expect(try tail(4, 10, 5, 3).p == 0)
        // The lowest possible overlap is forced: 8 draws from 10 with 5 successes give at least 3.
        #expect(try tail(3, 10, 5, 8).p == 1)
        #expect(try tail(-5, 10, 5, 8).p == 1)
        #expect(relativeError(try tail(4, 10, 5, 8).p, 1 - 10.0 / 45) <= 1e-14)
        #expect(try tail(1_000, 10, 5, 8).p == 0)
    }

    @Test func invalidParametersGiveNil() {
        #expect(HypergeometricTail(atLeast: 1, population: -1, successes: 0, draws: 0) == nil)
        #expect(HypergeometricTail(atLeast: 1, population: 10, successes: 11, draws: 3) == nil)
        #expect(HypergeometricTail(atLeast: 1, population: 10, successes: 3, draws: 11) == nil)
        #expect(HypergeometricTail(atLeast: 1, population: 10, successes: -1, draws: 3) == nil)
        #expect(HypergeometricTail(atLeast: 1, population: 10, successes: 3, draws: -1) == nil)
        #expect(HypergeometricTail(atLeast: 0, population: 0, successes: 0, draws: 0)?.p == 1)
    }

    @Test func tailsFallAsTheOverlapGrows() throws {
        var previous = 0.0
        for x in 0...120 {
            let value = try tail(x, 20_000, 200, 120).logP
            #expect(value <= previous)
            previous = value
        }
    }

    @Test func benjaminiHochbergByHand() {
        // Sorted 0.01, 0.02, 0.03, 0.04, 0.05 of n = 5: p n / rank = 0.05 each, so all 0.05.
        let flat = BenjaminiHochberg.adjust([0.05, 0.01, 0.04, 0.02, 0.03])
        for value in flat { #expect(relativeError(value, 0.05) <= 1e-15) }
        // 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205 (n = 8): raw p 8 / rank is
        // 0.008, 0.032, 0.104, 0.082, 0.0672, 0.08, 0.0845714, 0.205; step-up minima from the right.
        let input = [0.205, 0.001, 0.042, 0.008, 0.06, 0.039, 0.074, 0.041]
        let expected = [0.205, 0.008, 0.0672, 0.032, 0.08, 0.0672, 0.08457142857142857, 0.0672]
        for (value, want) in zip(BenjaminiHochberg.adjust(input), expected) {
            #expect(relativeError(value, want) <= 1e-15, "\(value) vs \(want)")
        }
    }

    @Test func benjaminiHochbergTiesCapsAndEmptyInput() {
        #expect(BenjaminiHochberg.adjust([]).isEmpty)
        #expect(BenjaminiHochberg.adjust([0.3]) == [0.3])
        // Ties get one value whatever their positions; values above 1 are capped.
        let tied = BenjaminiHochberg.adjust([0.02, 0.5, 0.02, 0.9, 0.02])
        #expect(tied[0] == tied[2] && tied[2] == tied[4])
        #expect(relativeError(tied[0], 0.02 * 5 / 3) <= 1e-15)
        #expect(BenjaminiHochberg.adjust([0.9, 0.95, 1.0]).allSatisfy { $0 <= 1 })
        #expect(BenjaminiHochberg.adjust([1.0, 1.0]) == [1, 1])
        #expect(BenjaminiHochberg.adjust([0, 0.5]) == [0, 0.5])
    }

    @Test func oddsRatioAsGseapy() {
        // x = 3, m = 10, k = 5, N = 100: (3.5 * 88.5) / (7.5 * 2.5).
        #expect(OddsRatio.haldaneAnscombe(overlap: 3, setSize: 10, listSize: 5, background: 100) == (3.5 * 88.5) / (7.5 * 2.5))
        // The list inside the set (c = 0) and the set inside the list (b = 0) stay finite.
        #expect(OddsRatio.haldaneAnscombe(overlap: 5, setSize: 10, listSize: 5, background: 100).isFinite)
        #expect(OddsRatio.haldaneAnscombe(overlap: 10, setSize: 10, listSize: 50, background: 100).isFinite)
    }

    @Test func elementaryFunctions() {
        #expect(ElementaryMath.log(2) == 0.6931471805599453)
        #expect(ElementaryMath.log(1) == 0)
        #expect(relativeError(ElementaryMath.log(10), 2.302585092994046) <= 2.3e-16)
        #expect(relativeError(ElementaryMath.log(.leastNonzeroMagnitude), -744.4400719213812) <= 2.3e-16)
        #expect(relativeError(ElementaryMath.log(.greatestFiniteMagnitude), 709.782712893384) <= 2.3e-16)
        #expect(ElementaryMath.log(0) == -.infinity)
        #expect(ElementaryMath.log(-1).isNaN)
        #expect(ElementaryMath.log1p(1e-20) == 1e-20)
        #expect(relativeError(ElementaryMath.log1p(-1e-10), -1.00000000005e-10) <= 4.5e-16)
        #expect(ElementaryMath.exp(0) == 1)
        #expect(relativeError(ElementaryMath.exp(1), 2.718281828459045) <= 2.3e-16)
        #expect(relativeError(ElementaryMath.exp(-700), 9.85967654375977e-305) <= 4.5e-16)
        #expect(relativeError(ElementaryMath.exp(700), 1.0142320547350045e+304) <= 4.5e-16)
        #expect(ElementaryMath.exp(-745.2) == 0)
        #expect(ElementaryMath.exp(-745) > 0)
        #expect(ElementaryMath.exp(710) == .infinity)
        // Round trips over many magnitudes stay within a few units in the last place.
        var x = 1e-300
        while x < 1e300 {
            #expect(relativeError(ElementaryMath.exp(ElementaryMath.log(x)), x) <= 3e-13, "\(x)")
            x *= 7.3
        }
    }
}
