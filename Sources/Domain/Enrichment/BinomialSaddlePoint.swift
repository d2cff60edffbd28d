/// Catherine Loader's saddle-point form of binomial probabilities ("Fast and accurate computation of binomial
/// probabilities", 2000), the method of R's `dbinom`/`dhyper` and of Boost.
///
/// Log-factorial differences such as `log(N!) - log(m!) - ...` cancel: at N = 10^6 each term is about 10^7,
/// so double rounding alone leaves an absolute error near 10^-9 in a log probability. Loader's terms are all
/// small (the Stirling remainder) or computed without cancellation (the deviance `bd0`), which keeps the log
/// probability accurate to a few units in the last place of its own size.
enum BinomialSaddlePoint {
    /// `log(n!) - ((n + 1/2) log n - n + log sqrt(2π))` for n = 0...15, from mpmath at 40 digits.
    private static let stirlingRemainders: [Double] = [
        0.0,  // n = 0 is never asked for: Stirling's formula has no term there.
        0.08106146679532725821967, 0.04134069595540929409382, 0.02767792568499833914879,
        0.02079067210376509311152, 0.01664469118982119216319, 0.01387612882307074799875,
        0.01189670994589177009506, 0.01041126526197209649748, 0.009255462182712732917729,
        0.008330563433362871256469, 0.007573675487951840794972, 0.006942840107209529865664,
        0.00640899418800420706844, 0.005951370112758847735624, 0.005554733551962801371039,
    ]

    /// The error of Stirling's formula for `log(n!)`, n >= 1.
    static func stirlingRemainder(_ n: Int) -> Double {
        if n < stirlingRemainders.count { return stirlingRemainders[n] }
        // The asymptotic series 1/(12n) - 1/(360n^3) + ...; terms dropped at each cut are below 1e-17 relative.
        let s0 = 1.0 / 12
        let s1 = 1.0 / 360
        let s2 = 1.0 / 1260
        let s3 = 1.0 / 1680
        let s4 = 1.0 / 1188
        let x = Double(n)
        let xx = x * x
        if n > 500 { return (s0 - s1 / xx) / x }
        if n > 80 { return (s0 - (s1 - s2 / xx) / xx) / x }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / xx) / xx) / xx) / x }
        return (s0 - (s1 - (s2 - (s3 - s4 / xx) / xx) / xx) / xx) / x
    }

    /// The deviance `x log(x / mean) + mean - x`, without cancellation when `x` is close to `mean`.
    static func deviance(_ x: Double, mean: Double) -> Double {
        if abs(x - mean) < 0.1 * (x + mean) {
            // The series 2x (v^3/3 + v^5/5 + ...) + (x - mean) v with v = (x - mean)/(x + mean).
            var v = (x - mean) / (x + mean)
            var sum = (x - mean) * v
            if abs(sum) < Double.leastNormalMagnitude { return sum }
            var term = 2 * x * v
            v *= v
            for j in 1..<1000 {
                term *= v
                let next = sum + term / Double(2 * j + 1)
                if next == sum { return next }
                sum = next
            }
            return sum
        }
        return x * ElementaryMath.log(x / mean) + mean - x
    }

    /// `log P(Y = x)` for Y ~ Binomial(n, p), given `mean = n p` and `complementMean = n (1 - p)`, 0 < p < 1.
    static func logBinomialProbability(_ x: Int, trials n: Int, mean: Double, complementMean: Double) -> Double {
        if x < 0 || x > n { return -.infinity }
        if n == 0 { return 0 }
        let trials = Double(n)
        if x == 0 {
            // n log(1 - p) = -bd0(n, n q) - n p, the deviance form when log(1 - p) would cancel.
            let p = mean / trials
            return p < 0.1 ? -deviance(trials, mean: complementMean) - mean : trials * ElementaryMath.log1p(-p)
        }
        if x == n {
            let q = complementMean / trials
            return q < 0.1 ? -deviance(trials, mean: mean) - complementMean : trials * ElementaryMath.log1p(-q)
        }
        let successes = Double(x)
        let exponent =
            stirlingRemainder(n) - stirlingRemainder(x) - stirlingRemainder(n - x)
            - deviance(successes, mean: mean) - deviance(trials - successes, mean: complementMean)
        let logNormaliser = ElementaryMath.logTwoPi + ElementaryMath.log(successes) + ElementaryMath.log1p(-successes / trials)
        return exponent - 0.5 * logNormaliser
    }

    /// `log P(X = x)` for X ~ Hypergeometric(population, successes, draws), with 0 < draws < population.
    ///
    /// The hypergeometric probability is a ratio of three binomial ones with the same p = draws / population:
    /// `b(x; m, p) b(k - x; N - m, p) / b(k; N, p)` (R's `dhyper`).
    /// `logDraws`, when given, is ``logDrawProbability(population:draws:)`` for the same population and draws: the
    /// part of the ratio that a run of tails with one N and one k shares.
    static func logHypergeometricProbability(_ x: Int, population: Int, successes: Int, draws: Int, logDraws: Double? = nil) -> Double {
        let total = Double(population)
        let p = Double(draws) / total
        let q = Double(population - draws) / total
        let failures = population - successes
        let first = logBinomialProbability(
            x, trials: successes, mean: Double(successes) * p, complementMean: Double(successes) * q)
        let second = logBinomialProbability(
            draws - x, trials: failures, mean: Double(failures) * p, complementMean: Double(failures) * q)
        let whole = logDraws ?? logDrawProbability(population: population, draws: draws)
        return first + second - whole
    }

    /// `log b(k; N, k / N)`: the denominator of ``logHypergeometricProbability(_:population:successes:draws:logDraws:)``.
    static func logDrawProbability(population: Int, draws: Int) -> Double {
        logBinomialProbability(draws, trials: population, mean: Double(draws), complementMean: Double(population - draws))
    }
}
