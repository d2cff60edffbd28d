import Synchronization

/// Hypergeometric tails already computed, for the analyses of one ``EnrichmentIndex``.
///
/// A tail is a pure function of (N, k, m, x). Analyses against one index mostly share N (the background) and k (the
/// list's size), and then ask again for the same (set size, overlap) pairs: a 300-gene list against 35,000 sets needs
/// about 2,500 of them, a fifth of its CPU when each was computed. Tails for set sizes below ``sizes`` and overlaps
/// below ``overlaps`` are kept here, one table per (N, k), for at most ``tableLimit`` pairs of (N, k).
///
/// Readers take a table under the lock (a copy-on-write reference) and compute what it lacks without holding it;
/// ``record(_:population:draws:)`` adds their results.
final class TailMemo: Sendable {
    /// Set sizes (m) below this are kept.
    static let sizes = 1_024
    /// Overlaps (x) below this are kept.
    static let overlaps = 16
    /// Most (N, k) tables kept; past it, one is dropped.
    static let tableLimit = 8

    private struct Key: Hashable {
        let population: Int
        let draws: Int
    }

    private let tables = Mutex<[Key: [Double]]>([:])

    init() {}

    /// The slot of (m, x) in a table, or `nil` when the pair is not kept.
    static func slot(size: Int, overlap: Int) -> Int? {
        size < sizes && overlap < overlaps ? size * overlaps + overlap : nil
    }

    /// The table for N and k: at ``slot(size:overlap:)``, `log P(X >= x)`, or NaN when not known yet. Empty when no
    /// tail of this (N, k) is known.
    func table(population: Int, draws: Int) -> [Double] {
        tables.withLock { $0[Key(population: population, draws: draws)] } ?? []
    }

    /// Keeps computed tails: pairs of slot and `log P(X >= x)` for N and k.
    func record(_ tails: [(slot: Int, logP: Double)], population: Int, draws: Int) {
        guard !tails.isEmpty else { return }
        let key = Key(population: population, draws: draws)
        tables.withLock { tables in
            if tables[key] == nil, tables.count >= Self.tableLimit, let any = tables.keys.first {
                tables[any] = nil
            }
            var table = tables.removeValue(forKey: key) ?? [Double](repeating: .nan, count: Self.sizes * Self.overlaps)
            for tail in tails { table[tail.slot] = tail.logP }
            tables[key] = table
        }
    }
}
