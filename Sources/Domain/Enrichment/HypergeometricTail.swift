/// The upper tail `P(X >= x)` of X ~ Hypergeometric(N, m, k), exact in log space: SciPy's
/// `hypergeom.sf(x - 1, N, m, k)` and `logsf`, R's `phyper(x - 1, m, N - m, k, lower.tail = FALSE)`.
///
/// It is the one-sided p-value of over-representation: drawing `k` genes (the list) from a population of
/// `N` (the background) of which `m` are in a set, at least `x` of the drawn ones are in the set.
///
/// The log is exact down to the smallest magnitudes (`logP` of -10^5 is right; `p` is then 0 as a `Double`).
/// Each probability comes from Loader's saddle-point form (``BinomialSaddlePoint``); the tail is summed as
/// ratios to its largest term, walking away from the mode, and stops when the rest is provably negligible.
public struct HypergeometricTail: Sendable, Hashable {
    /// `log P(X >= x)`: 0 when certain, `-inf` when impossible.
    public let logP: Double
    /// `P(X >= x)`; underflows to 0 below about 1e-308 while ``logP`` stays finite.
    public var p: Double { ElementaryMath.exp(logP) }

    /// The tail for `x` or more successes, or `nil` when the distribution does not exist.
    ///
    /// Requires `0 <= successes <= population` and `0 <= draws <= population`; any `x` is fine (below the
    /// support the tail is 1, above it 0). Invalid parameters give `nil` rather than a trap because they come
    /// from user input (an integer background smaller than the list, for instance): the caller reports them.
    public init?(atLeast x: Int, population: Int, successes: Int, draws: Int) {
        self.init(atLeast: x, population: population, successes: successes, draws: draws, logDraws: nil)
    }

    /// The same, with `logDraws` = `BinomialSaddlePoint.logDrawProbability(population:draws:)` computed once by a
    /// caller that asks for many tails with the same population and draws (an analysis: one per set size and overlap).
    init?(atLeast x: Int, population: Int, successes: Int, draws: Int, logDraws: Double?) {
        guard population >= 0, (0...population).contains(successes), (0...population).contains(draws) else { return nil }
        let lowest = max(0, draws + successes - population)
        let highest = min(draws, successes)
        if x <= lowest {
            logP = 0
        } else if x > highest {
            logP = -.infinity
        } else {
            // Here 0 < draws < population and 0 < successes < population: every ratio below is finite.
            logP = Self.logTail(
                atLeast: x, population: population, successes: successes, draws: draws, lowest: lowest, logDraws: logDraws)
        }
    }

    /// Creates a tail from its log, for results computed elsewhere.
    public init(logP: Double) {
        self.logP = logP
    }

    private static func logTail(
        atLeast x: Int, population n: Int, successes m: Int, draws k: Int, lowest: Int, logDraws: Double?
    ) -> Double {
        let highest = min(k, m)
        // Ratio of consecutive probabilities, P(j + 1) / P(j); it falls as j grows (the law is log-concave).
        let rest = n - m - k
        func up(_ j: Int) -> Double { Double(m - j) * Double(k - j) / (Double(j + 1) * Double(rest + j + 1)) }
        func down(_ j: Int) -> Double { Double(j) * Double(rest + j) / (Double(m - j + 1) * Double(k - j + 1)) }
        let modeEstimate = (Double(k + 1) * Double(m + 1) / Double(n + 2)).rounded(.down)
        let mode = min(max(Int(modeEstimate), lowest), highest)

        let logDraws = logDraws ?? BinomialSaddlePoint.logDrawProbability(population: n, draws: k)
        func logProbability(_ j: Int) -> Double {
            BinomialSaddlePoint.logHypergeometricProbability(j, population: n, successes: m, draws: k, logDraws: logDraws)
        }

        if x > mode {
            // Every term falls from x on: sum them relative to the first.
            return logProbability(x) + ElementaryMath.log(relativeSum(from: x, through: highest, step: 1, ratio: up))
        }
        // x is at or below the mode, so P(X >= x) is not small: take the complement when the lower tail is
        // under one half (no cancellation), else add the upper terms around the mode.
        let logLower =
            logProbability(x - 1)
            + ElementaryMath.log(relativeSum(from: x - 1, through: lowest, step: -1, ratio: down))
        if logLower < -0.6931471805599453 {
            return ElementaryMath.log1p(-ElementaryMath.exp(logLower))
        }
        let above = relativeSum(from: mode, through: highest, step: 1, ratio: up)
        let below = mode > x ? down(mode) * relativeSum(from: mode - 1, through: x, step: -1, ratio: down) : 0
        return logProbability(mode) + ElementaryMath.log(above + below)
    }

    /// `sum of P(j) / P(start)` for j from `start` to `end` by `step`, where `ratio(j)` is `P(j + step) / P(j)`.
    ///
    /// Stops early once the remaining terms are below 2^-60 of the sum: because the ratios keep falling, the rest
    /// is at most `t r / (1 - r)` for the current term `t` and ratio `r`.
    private static func relativeSum(from start: Int, through end: Int, step: Int, ratio: (Int) -> Double) -> Double {
        var sum = 1.0
        var term = 1.0
        var j = start
        while j != end {
            let r = ratio(j)
            if r == 0 { break }
            term *= r
            sum += term
            j += step
            if r < 1 && term * r / (1 - r) <= sum * 0x1p-60 { break }
        }
        return sum
    }
}
