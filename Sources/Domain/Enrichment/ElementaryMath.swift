/// `log`, `log1p` and `exp` in pure Swift, accurate to a few units in the last place.
///
/// The Domain imports no C library and FoundationEssentials has no math functions, so the statistics bring
/// their own. The methods are fdlibm's (range reduction by powers of two and a split `ln 2`), with Taylor
/// coefficients instead of minimax ones: a few more terms, constants anyone can check.
enum ElementaryMath {
    /// `ln 2` split so that `k * ln2High` is exact for every binary exponent `k` of a `Double`.
    static let ln2High = 6.93147180369123816490e-01
    static let ln2Low = 1.90821492927058770002e-10
    /// `ln(2π)`.
    static let logTwoPi = 1.837877066409345483560659

    /// Natural logarithm; `-inf` at 0, NaN below 0.
    static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x == .infinity { return x }
        // x = f * 2^e with f in [sqrt(1/2), sqrt(2)). A normal number's fields are read from its bits; `exponent` and
        // `significand` (which normalise subnormals too) cost more than the rest of the function.
        var exponent: Double
        var f: Double
        if x.isNormal {
            exponent = Double(Int(truncatingIfNeeded: x.bitPattern >> 52) - 1023)
            f = Double(bitPattern: x.bitPattern & 0x000F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000)
        } else {
            exponent = Double(x.exponent)
            f = x.significand
        }
        if f > 1.4142135623730951 {
            f *= 0.5
            exponent += 1
        }
        // f - 1 is exact (Sterbenz); log(1 + g) = 2 atanh(s) with s = g / (2 + g) and s^2 <= 0.0295.
        let g = f - 1
        let s = g / (2 + g)
        let z = s * s
        // R = sum of 2 z^i / (2i + 1) for i >= 1; twelve terms leave a truncation below 1e-18 relative. Written out
        // so the coefficients are constants: a loop computing 2 / (2i + 1) spent eleven divisions per call, and the
        // enrichment of a 300-gene list takes tens of thousands of logs.
        var r = 2.0 / 25.0
        r = r * z + 2.0 / 23.0
        r = r * z + 2.0 / 21.0
        r = r * z + 2.0 / 19.0
        r = r * z + 2.0 / 17.0
        r = r * z + 2.0 / 15.0
        r = r * z + 2.0 / 13.0
        r = r * z + 2.0 / 11.0
        r = r * z + 2.0 / 9.0
        r = r * z + 2.0 / 7.0
        r = r * z + 2.0 / 5.0
        r = r * z + 2.0 / 3.0
        r *= z
        let halfSquare = 0.5 * g * g
        return exponent * ln2High - ((halfSquare - (s * (halfSquare + r) + exponent * ln2Low)) - g)
    }

    /// `log(1 + x)`, accurate also when `x` is tiny.
    static func log1p(_ x: Double) -> Double {
        if x.isNaN || x < -1 { return .nan }
        if x == -1 { return -.infinity }
        if x == .infinity { return x }
        let u = 1 + x
        if u == 1 { return x }
        // Goldberg's correction: the rounding of 1 + x cancels in log(u) / (u - 1).
        return log(u) * (x / (u - 1))
    }

    /// `e^x`; 0 below about -745, `inf` above about 709.8.
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893384 { return .infinity }
        if x < -745.1332191019412 { return 0 }
        let k = (x * 1.4426950408889634).rounded()
        let r = (x - k * ln2High) - k * ln2Low
        // e^r - 1 = r (1/1! + r/2! + ... + r^15/16!), |r| <= 0.347: the next term, r^16 / 17!, is below 1e-20.
        // The coefficients are constants (1/n! rounded once): dividing by n in the loop cost fifteen dependent
        // divisions per call.
        var sum = 4.779477332387385e-14
        sum = sum * r + 7.647163731819816e-13
        sum = sum * r + 1.1470745597729725e-11
        sum = sum * r + 1.6059043836821613e-10
        sum = sum * r + 2.08767569878681e-09
        sum = sum * r + 2.505210838544172e-08
        sum = sum * r + 2.755731922398589e-07
        sum = sum * r + 2.7557319223985893e-06
        sum = sum * r + 2.48015873015873e-05
        sum = sum * r + 0.0001984126984126984
        sum = sum * r + 0.001388888888888889
        sum = sum * r + 0.008333333333333333
        sum = sum * r + 0.041666666666666664
        sum = sum * r + 0.16666666666666666
        sum = sum * r + 0.5
        sum = sum * r + 1
        let value = 1 + r * sum
        // Two steps so that neither 2^k nor the product overflows before the last rounding.
        let exponent = Int(k)
        let half = exponent / 2
        return value * power(ofTwo: half) * power(ofTwo: exponent - half)
    }

    /// `2^n` for n in -1074...1023, exact.
    private static func power(ofTwo n: Int) -> Double {
        Double(sign: .plus, exponent: n, significand: 1)
    }
}
