/// One species' gene reference held in memory, looked up by name key: the in-memory adapter's store and the
/// reference implementation of ``GeneReferenceStore/matches(forKeys:species:)``.
///
/// Built record by record (``insert(_:)``) so an import never holds the file, only the index. Approved symbols are
/// taken from the `gene_symbol` column, not from rows whose alias repeats the symbol: about a thousand genes per
/// species (DOK2, NFKB1, SMAD3) have no such row. Names that no request could contain
/// (``GeneReferenceRules/isQueryable(_:)``, e.g. `TrnF tRNA`) are not indexed.
public struct GeneReferenceIndex: Sendable {
    /// A gene: one Ensembl id and its approved symbol.
    private struct Gene: Sendable {
        let ensemblID: String
        let symbol: String
    }

    /// A name key's link to a gene.
    private struct Posting: Sendable, Equatable {
        let kind: GeneNameMatch.Kind
        let gene: Int32
    }

    /// The species every record must belong to.
    public let species: Species
    private var genes: [Gene] = []
    private var geneByEnsemblID: [String: Int32] = [:]
    private var postings: [String: [Posting]] = [:]
    private var symbolKeys: Set<String> = []
    /// Records inserted.
    public private(set) var recordCount = 0

    /// Creates an empty index for one species.
    public init(species: Species) {
        self.species = species
    }

    /// Creates an index of `records`, all of `species`.
    public init(species: Species, records: some Sequence<GeneReferenceRecord>) throws(GeneReferenceError) {
        self.init(species: species)
        for record in records { try insert(record) }
    }

    /// Adds one record; throws when it belongs to another species or gives a known Ensembl id another symbol.
    public mutating func insert(_ record: GeneReferenceRecord) throws(GeneReferenceError) {
        guard record.species == species else {
            throw .speciesMismatch(expected: species, found: record.species, ensemblID: record.ensemblID)
        }
        let gene: Int32
        if let known = geneByEnsemblID[record.ensemblID] {
            let symbol = genes[Int(known)].symbol
            guard symbol == record.symbol else {
                throw .conflictingSymbols(ensemblID: record.ensemblID, first: symbol, second: record.symbol)
            }
            gene = known
        } else {
            gene = Int32(genes.count)
            genes.append(Gene(ensemblID: record.ensemblID, symbol: record.symbol))
            geneByEnsemblID[record.ensemblID] = gene
            let key = GeneReferenceRules.key(forName: record.symbol)
            symbolKeys.insert(key)
            add(Posting(kind: .approved, gene: gene), for: key)
        }
        recordCount += 1
        guard !record.aliasIsSymbol, GeneReferenceRules.isQueryable(record.alias) else { return }
        add(Posting(kind: .alias, gene: gene), for: GeneReferenceRules.key(forName: record.alias))
    }

    private mutating func add(_ posting: Posting, for key: String) {
        // Postings per key are few (one to a dozen), so a linear check keeps them unique.
        if postings[key]?.contains(posting) == true { return }
        postings[key, default: []].append(posting)
    }

    /// Every match of the given name keys, ordered by key, kind, symbol and Ensembl id.
    public func matches(forKeys keys: some Sequence<String>) -> [GeneNameMatch] {
        var found: [GeneNameMatch] = []
        for key in Set(keys) {
            for posting in postings[key] ?? [] {
                let gene = genes[Int(posting.gene)]
                found.append(GeneNameMatch(key: key, kind: posting.kind, symbol: gene.symbol, ensemblID: gene.ensemblID))
            }
        }
        return found.sorted {
            ($0.key, $0.kind, $0.symbol, $0.ensemblID) < ($1.key, $1.kind, $1.symbol, $1.ensemblID)
        }
    }

    /// Resolves trimmed, validated names by the rules of ``GeneResolutionReport``.
    public func resolve(_ names: [String]) -> GeneResolutionReport {
        GeneResolutionReport(species: species, names: names, matches: matches(forKeys: names.map(GeneReferenceRules.key(forName:))))
    }

    /// What the index holds, labelled with `source`.
    public func summary(source: String) -> GeneReferenceSummary {
        GeneReferenceSummary(
            species: species, source: source, records: recordCount, genes: genes.count, symbols: symbolKeys.count, names: postings.count)
    }
}
