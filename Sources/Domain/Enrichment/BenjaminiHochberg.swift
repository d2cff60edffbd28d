/// Benjamini–Hochberg adjusted p-values (false discovery rate), as statsmodels' `fdr_bh` and gseapy's
/// `fdrcorrection` compute them.
///
/// For p-values sorted ascending, the adjusted value of rank i (1-based) of n is `min over j >= i of p_j n / j`,
/// capped at 1 (the step-up rule, which makes them monotone). Tied p-values get the same adjusted value
/// whatever their input order.
public enum BenjaminiHochberg {
    /// The adjusted p-values, in the order of `pValues`; NaN inputs are not allowed (they sort last).
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let n = pValues.count
        guard n > 0 else { return [] }
        // Index as tie-breaker: the sort need not be stable, and ties end up equal anyway.
        return adjust(pValues, ascendingOrder: pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) })
    }

    /// ``adjust(_:)`` given the indices of `pValues` in ascending order of p (any order among ties), for a caller
    /// that sorted them already.
    public static func adjust(_ pValues: [Double], ascendingOrder order: [Int]) -> [Double] {
        let n = pValues.count
        guard n > 0 else { return [] }
        var adjusted = [Double](repeating: 1, count: n)
        var running = Double.infinity
        for rank in stride(from: n, through: 1, by: -1) {
            let index = order[rank - 1]
            // p / (rank / n), the same operations as gseapy's `pvals_sorted / ecdffactor`: equal to the last bit.
            running = min(running, pValues[index] / (Double(rank) / Double(n)))
            adjusted[index] = min(running, 1)
        }
        return adjusted
    }
}
