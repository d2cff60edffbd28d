/// What storing a resolved list under approved symbols does to it: the names to store and every change made, for
/// answers that must say what changed (gene sets created or imported with `resolve=true`, enrichment lists).
///
/// Rules: an approved or alias input is stored as the approved symbol, spelled as the reference spells it; an
/// ambiguous or unknown input is stored as given (no candidate is guessed). Two inputs that become the same symbol
/// (`KIAA1429` and `VIRMA`) are stored once, at the first one's position; the later ones are reported as merged,
/// never dropped silently. A name given twice (ignoring case) is kept twice, so the catalog refuses the repeat as it
/// does without resolution.
public struct GeneRenaming: Sendable, Hashable {
    /// An input stored under another name.
    public struct Change: Sendable, Hashable {
        /// The name as given.
        public var input: String
        /// The approved symbol stored instead.
        public var symbol: String
        /// How the input matched: ``GeneResolutionStatus/approved`` when only the case differed, else ``GeneResolutionStatus/alias``.
        public var status: GeneResolutionStatus

        /// Creates a change.
        public init(input: String, symbol: String, status: GeneResolutionStatus) {
            self.input = input
            self.symbol = symbol
            self.status = status
        }
    }

    /// The names to store, in input order, each once (ignoring case).
    public var names: [String]
    /// Inputs stored under their approved symbol, in input order.
    public var changes: [Change]
    /// Inputs not stored because an earlier input already stands for the same symbol, with that symbol.
    public var merged: [Change]
    /// Ambiguous inputs, stored as given, with their candidates.
    public var ambiguous: [GeneResolution]
    /// Inputs the reference does not know, stored as given.
    public var notFound: [String]

    /// Applies the rules to a report.
    public init(_ report: GeneResolutionReport) {
        var names: [String] = []
        var changes: [Change] = []
        var merged: [Change] = []
        var ambiguous: [GeneResolution] = []
        var notFound: [String] = []
        var inputKeys: Set<String> = []
        var storedKeys: Set<String> = []
        names.reserveCapacity(report.results.count)
        for result in report.results {
            let stored = result.gene?.symbol ?? result.input
            switch result.status {
            case .ambiguous: ambiguous.append(result)
            case .notFound: notFound.append(result.input)
            case .approved, .alias: break
            }
            // A name given twice is the caller's duplicate: kept, so the catalog refuses it as it would without resolution.
            guard inputKeys.insert(GeneReferenceRules.key(forName: result.input)).inserted else {
                names.append(stored)
                continue
            }
            guard storedKeys.insert(GeneReferenceRules.key(forName: stored)).inserted else {
                merged.append(Change(input: result.input, symbol: stored, status: result.status))
                continue
            }
            if stored != result.input { changes.append(Change(input: result.input, symbol: stored, status: result.status)) }
            names.append(stored)
        }
        self.names = names
        self.changes = changes
        self.merged = merged
        self.ambiguous = ambiguous
        self.notFound = notFound
    }
}
