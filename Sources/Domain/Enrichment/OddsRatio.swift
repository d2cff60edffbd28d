/// The odds ratio of a gene set's overlap with a list, with the Haldane–Anscombe correction, exactly as
/// gseapy 1.3.1 computes it (`gseapy/stats.py`, `calc_pvalues`, line 95, commit 08cb2b6, issue zqfang/GSEApy#237):
///
///     oddr = ((x + bu) * (bg - m - k + x + bu)) / ((m - x + bu) * (k - x + bu))    # bu = 0.5
///
/// The 2×2 table is a = x (in list and set), b = m - x (in set only), c = k - x (in list only),
/// d = N - m - k + x (in neither), and the ratio is (a + ½)(d + ½) / ((b + ½)(c + ½)). Adding ½ to every cell
/// keeps the ratio finite when the list lies inside the set (c = 0) or the set inside the list (b = 0).
/// Enrichr itself uses `a d / max(b c, 1)`; gseapy's comment says bu = 0 would match it, which is not quite
/// true because of the `max`.
public enum OddsRatio {
    /// The corrected odds ratio for overlap `x`, set size `m`, list size `k`, background size `n`.
    public static func haldaneAnscombe(overlap x: Int, setSize m: Int, listSize k: Int, background n: Int) -> Double {
        // Integer differences first, then one conversion: the same roundings as gseapy's Python ints + 0.5.
        ((Double(x) + 0.5) * (Double(n - m - k + x) + 0.5)) / ((Double(m - x) + 0.5) * (Double(k - x) + 0.5))
    }
}
