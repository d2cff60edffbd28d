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

    /// Creates the analysis over an index.
    public init(index: EnrichmentIndex) {
        self.index = index
    }

    /// Tests every set that shares a gene with the list; cost follows the list genes' memberships, not the number
    /// of sets (plus one pass over the background list and the touched sets' members when a list is given).
    ///
    /// Throws a ``ValidationError`` on `background` when a numeric background is smaller than a tested set.
    public func run(_ query: EnrichmentQuery) throws(ValidationError) -> EnrichmentResult {
        let population = population(of: query)
        var unmapped: [String] = []
        var unannotated: [String] = []
        var drawn = 0
        // Set ordinal → positions of its members that are in the list.
        var hits: [Int32: [Int32]] = [:]
        for name in query.genes {
            let indexed = index.gene(named: name)
            guard population.contains(name, indexed: indexed != nil) else {
                unmapped.append(name)
                continue
            }
            drawn += 1
            guard let gene = indexed else {
                unannotated.append(name)
                continue
            }
            for posting in index.postings[Int(gene)] {
                hits[posting.set, default: []].append(posting.position)
            }
        }

        var tested: [(ordinal: Int32, size: Int, overlap: [Int32], tail: HypergeometricTail)] = []
        tested.reserveCapacity(hits.count)
        for ordinal in hits.keys.sorted() {
            let entry = index.entries[Int(ordinal)]
            let size = population.size(of: entry)
            guard size >= query.minimumSetSize, size <= query.maximumSetSize ?? Int.max else { continue }
            guard let positions = hits[ordinal],
                let tail = HypergeometricTail(atLeast: positions.count, population: population.count, successes: size, draws: drawn)
            else {
                // Only a numeric background can be smaller than a set: the list and gene-list backgrounds contain them.
                throw ValidationError([
                    FieldError(
                        field: "background",
                        reason: "must be at least the size of every tested set (set \(entry.id) has \(size) genes)")
                ])
            }
            tested.append((ordinal, size, positions.sorted(), tail))
        }

        let adjusted = BenjaminiHochberg.adjust(tested.map(\.tail.p))
        let order = tested.indices.sorted { left, right in
            let (a, b) = (tested[left], tested[right])
            if a.tail.logP != b.tail.logP { return a.tail.logP < b.tail.logP }
            let (idA, idB) = (index.entries[Int(a.ordinal)].id, index.entries[Int(b.ordinal)].id)
            return idA != idB ? idA < idB : a.ordinal < b.ordinal
        }
        let terms = order.prefix(query.limit).map { row -> EnrichmentTerm in
            let test = tested[row]
            let entry = index.entries[Int(test.ordinal)]
            let oddsRatio = OddsRatio.haldaneAnscombe(
                overlap: test.overlap.count, setSize: test.size, listSize: drawn, background: population.count)
            return EnrichmentTerm(
                id: entry.id, title: entry.title, collectionID: entry.collectionID, setSize: test.size,
                overlap: test.overlap.count, overlapGenes: test.overlap.map { entry.memberNames[Int($0)] },
                logP: test.tail.logP, p: test.tail.p, adjustedP: adjusted[row], oddsRatio: oddsRatio,
                combinedScore: -test.tail.logP * oddsRatio)
        }
        return EnrichmentResult(
            terms: terms, testedSetCount: tested.count, backgroundSize: population.count, listSize: drawn,
            unmapped: unmapped, unannotated: unannotated, duplicates: query.duplicates,
            backgroundDuplicates: query.backgroundDuplicates)
    }

    /// The background resolved against the index.
    private func population(of query: EnrichmentQuery) -> Population {
        switch query.background {
        case .sets:
            return .sets(count: index.geneCount)
        case .size(let count):
            return .size(count)
        case .genes(let names):
            var keys = Set<String>(minimumCapacity: names.count)
            var indexed = Set<Int32>()
            for name in names {
                keys.insert(GenesetRules.key(forGeneName: name))
                if let gene = index.gene(named: name) { indexed.insert(gene) }
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

        /// m: the set's members within the background.
        func size(of entry: EnrichmentIndex.Entry) -> Int {
            switch self {
            case .sets, .size: entry.memberGenes.count
            case .genes(_, let indexed): entry.memberGenes.reduce(0) { $0 + (indexed.contains($1) ? 1 : 0) }
            }
        }
    }
}
