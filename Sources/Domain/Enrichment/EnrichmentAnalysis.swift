/// Over-representation analysis of a gene list against indexed gene sets: the hypergeometric test, as gseapy's
/// offline `enrich` runs it.
///
/// gseapy 1.3.1 (zqfang/GSEApy@08cb2b6), `gseapy/stats.py` `calc_pvalues` (lines 58-96) and `gseapy/enrichr.py`
/// `Enrichr.parse_background`/`enrich_local` (lines 648-725), followed here:
/// - the list is a set (`query = set(query)`); here repeats ignoring case count once and are reported;
/// - background `None`: the union of the genes of all sets (line 651-657), so list genes in no set leave k;
/// - background a gene list: `bg = len(background)`, the list and each set intersected with it (lines 62-65, 80-81);
/// - background an integer: only N changes; list and sets are used whole (lines 66-67);
/// - k = size of the (intersected) list; for each set, m = its size (intersected), x = overlap; sets with x < 1
///   are skipped (line 83) and not counted by the correction;
/// - `p = hypergeom.sf(x - 1, bg, m, k)` (line 86), BH over the tested sets capped at 1 (stats.py `fdrcorrection`),
///   odds ratio line 95 (``OddsRatio``), combined score `-log(p) * oddr` (enrichr.py line 720).
///
/// Differences, on purpose: genes match ignoring case (gseapy compares exact strings after an upper-case
/// heuristic); the combined score uses the exact log p, so it stays finite where gseapy's p underflows to 0 and
/// its score becomes `inf`; set sizes can be bounded (`minimumSetSize`, `maximumSetSize`, counted within the
/// background as gseapy's GSEA filters do; gseapy's `enrich` has no such bound and its defaults leave all sets in).
public struct EnrichmentAnalysis: Sendable {
    /// The sets to test against.
    public let index: EnrichmentIndex
    /// What the viewer may see: only those sets are tested, and only their genes make the default background.
    let sight: EnrichmentIndex.Sight

    /// Creates the analysis of the sets of `index` that `viewer` may see.
    public init(index: EnrichmentIndex, viewer: Viewer = .system) {
        self.index = index
        self.sight = index.sight(of: viewer)
    }

    /// Tests every set the viewer may see that shares a gene with the list; cost follows the list genes' memberships, not the number
    /// of sets (plus one pass over the background list and the touched sets' members when a list is given).
    ///
    /// Throws a ``ValidationError`` on `background` when a numeric background is smaller than a tested set.
    public func run(_ query: EnrichmentQuery) throws(ValidationError) -> EnrichmentResult {
        let population = population(of: query)
        var unmapped: [String] = []
        var unannotated: [String] = []
        var drawn = 0
        // Overlap counts per set ordinal in one flat array (a dictionary of arrays per touched set was a third of a
        // request's CPU), and the list genes whose memberships were counted, as ordinals and as bits by ordinal, to name
        // the overlap genes of the reported terms at the end.
        var overlaps = [Int32](repeating: 0, count: index.entries.count)
        var touched: [Int32] = []
        var counted: [Int32] = []
        var countedBits = [UInt64](repeating: 0, count: (index.geneCount + 63) / 64)
        var postingCount = 0
        for name in query.genes {
            // A gene only sets hidden from the viewer hold is, for them, in no set.
            let indexed = index.gene(named: name).flatMap { sight.sees(gene: $0) ? $0 : nil }
            guard population.contains(name, indexed: indexed != nil) else {
                unmapped.append(name)
                continue
            }
            drawn += 1
            guard let gene = indexed else {
                unannotated.append(name)
                continue
            }
            counted.append(gene)
            countedBits[Int(gene) >> 6] |= 1 << (UInt64(gene) & 63)
            postingCount += index.postings[Int(gene)].count
            for posting in index.postings[Int(gene)] where sight.sees(set: posting.set) {
                if overlaps[Int(posting.set)] == 0 { touched.append(posting.set) }
                overlaps[Int(posting.set)] += 1
            }
        }
        // No need to sort `touched`: rows are ranked by (log p, set id) below, a total order of their own.

        var tested: [(ordinal: Int32, size: Int, overlap: Int, tail: HypergeometricTail)] = []
        tested.reserveCapacity(touched.count)
        let populationCount = population.count
        // N and k are fixed for the request, so the tail depends only on (overlap, set size), and most touched sets
        // share a pair with another (overlap 1 to 3, sizes in the hundreds): each distinct pair is computed once, and
        // the rows are ranked through these groups rather than one by one.
        var groupTails: [HypergeometricTail] = []
        let logDraws = BinomialSaddlePoint.logDrawProbability(population: populationCount, draws: drawn)
        // Tails earlier analyses computed for this N and k; the new ones are kept for the next.
        let memo = index.tails.table(population: populationCount, draws: drawn)
        var computed: [(slot: Int, logP: Double)] = []
        var rowGroups: [Int32] = []
        rowGroups.reserveCapacity(touched.count)
        // Groups by memo slot for the pairs the memo keeps (nearly all), by hash for the rest.
        var groupOfSlot = [Int32](repeating: -1, count: TailMemo.sizes * TailMemo.overlaps)
        var groupOfPair = PairTable()
        for ordinal in touched {
            let size = population.size(ofSet: ordinal, in: index)
            guard size >= query.minimumSetSize, size <= query.maximumSetSize ?? Int.max else { continue }
            let overlap = Int(overlaps[Int(ordinal)])
            let slot = TailMemo.slot(size: size, overlap: overlap)
            let next = Int32(groupTails.count)
            let known = if let slot { groupOfSlot[slot] } else { groupOfPair.group(of: size << 32 | overlap, next: next) }
            if known >= 0, known < next {
                tested.append((ordinal, size, overlap, groupTails[Int(known)]))
                rowGroups.append(known)
                continue
            }
            let tail: HypergeometricTail
            if let slot, slot < memo.count, !memo[slot].isNaN {
                // A tail in the memo was computed from the same (N, k, m, x), so these parameters are valid.
                tail = HypergeometricTail(logP: memo[slot])
            } else if let fresh = HypergeometricTail(
                atLeast: overlap, population: populationCount, successes: size, draws: drawn, logDraws: logDraws)
            {
                tail = fresh
                if let slot { computed.append((slot, fresh.logP)) }
            } else {
                // Only a numeric background can be smaller than a set: the list and gene-list backgrounds contain them.
                throw ValidationError([
                    FieldError(
                        field: "background",
                        reason: "must be at least the size of every tested set (set \(index.setIDs[Int(ordinal)]) has \(size) genes)")
                ])
            }
            if let slot { groupOfSlot[slot] = next }
            rowGroups.append(next)
            groupTails.append(tail)
            tested.append((ordinal, size, overlap, tail))
        }
        index.tails.record(computed, population: populationCount, draws: drawn)
        let (reported, adjustedByGroup) = rank(tested.map(\.ordinal), rowGroups, groupTails, limit: query.limit)
        // Overlap genes for the reported rows only, in member order: the members of each reported set whose gene was
        // counted. When the reported sets hold many more members than the counted genes have memberships (a limit of
        // 1,000 over large sets), walk those memberships instead: a reported set's entry in `overlaps` (no longer
        // needed, each row keeps its count) becomes -(its slot + 1).
        let reportedMembers = reported.reduce(0) { $0 + Int(index.setSizes[Int(tested[$1].ordinal)]) }
        var positionsBySlot = [[Int32]](repeating: [], count: reported.count)
        if reportedMembers <= 2 * postingCount {
            for (slot, row) in reported.enumerated() {
                for (position, gene) in index.entries[Int(tested[row].ordinal)].memberGenes.enumerated()
                where countedBits[Int(gene) >> 6] & (1 << (UInt64(gene) & 63)) != 0 {
                    positionsBySlot[slot].append(Int32(position))
                }
            }
        } else {
            for (slot, row) in reported.enumerated() { overlaps[Int(tested[row].ordinal)] = -Int32(slot + 1) }
            for gene in counted {
                for posting in index.postings[Int(gene)] where overlaps[Int(posting.set)] < 0 {
                    positionsBySlot[Int(-overlaps[Int(posting.set)] - 1)].append(posting.position)
                }
            }
            for slot in positionsBySlot.indices { positionsBySlot[slot].sort() }
        }
        let terms = reported.enumerated().map { slot, row -> EnrichmentTerm in
            let test = tested[row]
            let entry = index.entries[Int(test.ordinal)]
            let oddsRatio = OddsRatio.haldaneAnscombe(
                overlap: test.overlap, setSize: test.size, listSize: drawn, background: population.count)
            let positions = positionsBySlot[slot]
            return EnrichmentTerm(
                id: entry.id, title: entry.title, collectionID: entry.collectionID, setSize: test.size,
                overlap: test.overlap, overlapGenes: positions.map { entry.memberNames[Int($0)] },
                logP: test.tail.logP, p: test.tail.p, adjustedP: adjustedByGroup[Int(rowGroups[row])], oddsRatio: oddsRatio,
                combinedScore: -test.tail.logP * oddsRatio)
        }
        return EnrichmentResult(
            terms: terms, testedSetCount: tested.count, backgroundSize: population.count, listSize: drawn,
            unmapped: unmapped, unannotated: unannotated, duplicates: query.duplicates,
            backgroundDuplicates: query.backgroundDuplicates)
    }

    /// The first `limit` rows by (log p, set id), and the Benjamini–Hochberg adjusted p-value of each group of rows
    /// that share a tail, without sorting every row: the groups are sorted by log p (few: one per distinct (overlap,
    /// set size)), the rows are bucketed by group, and only the runs of equal log p that reach the report are sorted by
    /// id. The correction over groups is ``BenjaminiHochberg/adjust(_:ascendingOrder:)`` over rows, to the last bit:
    /// every row of a group gets the value at the group's highest rank, as tied p-values do there.
    private func rank(_ ordinals: [Int32], _ rowGroups: [Int32], _ tails: [HypergeometricTail], limit: Int) -> (rows: [Int], adjusted: [Double]) {
        let ids = index.setIDs
        let n = rowGroups.count
        var counts = [Int](repeating: 0, count: tails.count)
        for group in rowGroups { counts[Int(group)] += 1 }
        // Sorted as contiguous (log p, group) pairs: a comparison reading the tails through the indices missed the cache.
        // Ties between groups may fall in any order: tied groups get the same adjusted p below.
        var keyed = tails.indices.map { (logP: tails[$0].logP, group: $0) }
        keyed.sort { $0.logP < $1.logP }
        let order = keyed.map(\.group)
        var starts = [Int](repeating: 0, count: tails.count)
        var highestRank = [Int](repeating: 0, count: tails.count)
        var total = 0
        for group in order {
            starts[group] = total
            total += counts[group]
            highestRank[group] = total
        }
        var adjusted = [Double](repeating: 1, count: tails.count)
        var running = Double.infinity
        for group in order.reversed() {
            // p / (rank / n), the same operations as BenjaminiHochberg.adjust (and gseapy's `pvals_sorted / ecdffactor`).
            running = min(running, tails[group].p / (Double(highestRank[group]) / Double(n)))
            adjusted[group] = min(running, 1)
        }
        var byGroup = [Int](repeating: 0, count: n)
        var next = starts
        for (row, group) in rowGroups.enumerated() {
            byGroup[next[Int(group)]] = row
            next[Int(group)] += 1
        }
        var reported: [Int] = []
        var first = 0
        while reported.count < limit, first < order.count {
            // A run of groups with the same log p (different pairs can tie): its rows go by set id.
            var end = first + 1
            while end < order.count, tails[order[end]].logP == tails[order[first]].logP { end += 1 }
            let rows = byGroup[starts[order[first]]..<(end < order.count ? starts[order[end]] : n)]
            reported += rows.sorted { ids[Int(ordinals[$0])] < ids[Int(ordinals[$1])] }.prefix(limit - reported.count)
            first = end
        }
        return (reported, adjusted)
    }

    /// The background resolved against the index.
    private func population(of query: EnrichmentQuery) -> Population {
        switch query.background {
        case .sets:
            return .sets(count: sight.geneCount)
        case .size(let count):
            return .size(count)
        case .genes(let names):
            var keys = Set<String>(minimumCapacity: names.count)
            var indexed = Set<Int32>()
            for name in names {
                keys.insert(GenesetRules.key(forGeneName: name))
                if let gene = index.gene(named: name), sight.sees(gene: gene) { indexed.insert(gene) }
            }
            return .genes(keys: keys, indexed: indexed)
        }
    }

    /// Which genes are drawable and how each set is counted within the background.
    private enum Population {
        case sets(count: Int)
        case size(Int)
        /// Keys of the background genes, and the ordinals of those an indexed set holds.
        case genes(keys: Set<String>, indexed: Set<Int32>)

        /// N.
        var count: Int {
            switch self {
            case .sets(let count), .size(let count): count
            case .genes(let keys, _): keys.count
            }
        }

        /// Whether a list gene is in the background, given whether some indexed set holds it.
        func contains(_ name: String, indexed: Bool) -> Bool {
            switch self {
            case .size: true
            case .sets: indexed
            case .genes(let keys, _): keys.contains(GenesetRules.key(forGeneName: name))
            }
        }

        /// m: the members of the set of this ordinal within the background.
        func size(ofSet ordinal: Int32, in index: EnrichmentIndex) -> Int {
            switch self {
            case .sets, .size: Int(index.setSizes[Int(ordinal)])
            case .genes(_, let indexed): index.entries[Int(ordinal)].memberGenes.reduce(0) { $0 + (indexed.contains($1) ? 1 : 0) }
            }
        }
    }
}

/// Group numbers by (set size, overlap) key for one analysis, for the pairs ``TailMemo`` does not keep: open addressing
/// with a multiplicative hash (a `Dictionary` hashed each key with SipHash).
private struct PairTable {
    private var keys: [Int]
    private var groups: [Int32]
    private var mask: Int
    private var count = 0

    /// Starts small: the memo's slots cover nearly every pair, so most analyses put few keys here, if any.
    init() {
        keys = [Int](repeating: -1, count: 16)
        groups = [Int32](repeating: 0, count: 16)
        mask = 15
    }

    /// The group of `key`; when the key is new it gets `next`, which is returned.
    mutating func group(of key: Int, next: Int32) -> Int32 {
        var slot = Self.slot(of: key, mask: mask)
        while keys[slot] != -1 {
            if keys[slot] == key { return groups[slot] }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        groups[slot] = next
        count += 1
        if count * 2 > mask { grow() }
        return next
    }

    private static func slot(of key: Int, mask: Int) -> Int {
        // Fibonacci hashing: the high bits of the product mix every bit of the key.
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldGroups = groups
        mask = mask * 2 + 1
        keys = [Int](repeating: -1, count: mask + 1)
        groups = [Int32](repeating: 0, count: mask + 1)
        for (key, group) in zip(oldKeys, oldGroups) where key != -1 {
            var slot = Self.slot(of: key, mask: mask)
            while keys[slot] != -1 { slot = (slot + 1) & mask }
            keys[slot] = key
            groups[slot] = group
        }
    }
}
