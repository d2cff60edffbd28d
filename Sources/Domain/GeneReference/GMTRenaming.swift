/// What `resolve=true` did to a GMT import's gene names: counts over every set, and the first changes as examples.
public struct GMTRenamingSummary: Sendable, Hashable {
    /// Most examples kept of each kind; the rest are counted only.
    public static let maximumExamples = 100

    /// A name changed, merged, ambiguous or not found in one set.
    public struct Example: Sendable, Hashable {
        /// The set's name.
        public var setName: String
        /// The name as the file gave it.
        public var input: String
        /// The approved symbol stored instead (changes and merges), or `nil`.
        public var symbol: String?
        /// The candidates of an ambiguous name.
        public var candidates: [String]

        /// Creates an example.
        public init(setName: String, input: String, symbol: String? = nil, candidates: [String] = []) {
            self.setName = setName
            self.input = input
            self.symbol = symbol
            self.candidates = candidates
        }
    }

    /// The species the names were resolved against.
    public var species: Species
    /// Names stored under their approved symbol, over all sets.
    public var changed = 0
    /// Names dropped from a set because an earlier name of it stands for the same gene.
    public var merged = 0
    /// Ambiguous names, stored as given.
    public var ambiguous = 0
    /// Names the reference does not know, stored as given.
    public var notFound = 0
    /// The first changed names, in file order.
    public var changes: [Example] = []
    /// The first merged names, in file order.
    public var merges: [Example] = []
    /// The first ambiguous names with their candidates, in file order.
    public var ambiguities: [Example] = []
    /// The first unknown names, in file order.
    public var unknown: [Example] = []

    /// An empty summary for `species`.
    public init(species: Species) {
        self.species = species
    }

    /// Adds one set's renaming.
    mutating func add(_ renaming: GeneRenaming, setName: String) {
        changed += renaming.changes.count
        merged += renaming.merged.count
        ambiguous += renaming.ambiguous.count
        notFound += renaming.notFound.count
        let room = Self.maximumExamples
        for change in renaming.changes.prefix(room - changes.count) {
            changes.append(Example(setName: setName, input: change.input, symbol: change.symbol))
        }
        for change in renaming.merged.prefix(room - merges.count) {
            merges.append(Example(setName: setName, input: change.input, symbol: change.symbol))
        }
        for resolution in renaming.ambiguous.prefix(room - ambiguities.count) {
            ambiguities.append(Example(setName: setName, input: resolution.input, candidates: resolution.candidates.map(\.symbol)))
        }
        for name in renaming.notFound.prefix(room - unknown.count) { unknown.append(Example(setName: setName, input: name)) }
    }
}

extension GeneResolver {
    /// Renames the genes of a batch of GMT records to approved symbols (``GeneRenaming``'s rules), with one store
    /// round trip for the batch; adds what it did to `summary`. Throws ``GeneReferenceError/notLoaded(_:)`` when the
    /// species has no reference.
    public func rename(_ records: [GMTRecord], species: Species, into summary: inout GMTRenamingSummary) async throws -> [GMTRecord] {
        var keys = Set<String>()
        for record in records { for gene in record.genes { keys.insert(GeneReferenceRules.key(forName: gene)) } }
        guard !keys.isEmpty else { return records }
        let matches = try await store.matches(forKeys: Array(keys), species: species)
        if matches.isEmpty, try await store.summary(of: species) == nil { throw GeneReferenceError.notLoaded(species) }
        // One report over the batch's distinct names; each set's resolution is looked up in it.
        let names = Array(keys)
        let report = GeneResolutionReport(species: species, names: names, matches: matches)
        var byKey: [String: GeneResolution] = [:]
        byKey.reserveCapacity(names.count)
        for result in report.results { byKey[GeneReferenceRules.key(forName: result.input)] = result }
        return records.map { record in
            let results = record.genes.map { gene -> GeneResolution in
                var result = byKey[GeneReferenceRules.key(forName: gene)] ?? GeneResolution(input: gene, status: .notFound)
                result.input = gene
                return result
            }
            let renaming = GeneRenaming(GeneResolutionReport(species: species, results: results, duplicates: [], collisions: []))
            summary.add(renaming, setName: record.name)
            var renamed = record
            renamed.genes = renaming.names
            return renamed
        }
    }
}
