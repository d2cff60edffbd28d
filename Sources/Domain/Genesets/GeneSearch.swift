/// The ranking rule of gene search, shared by every adapter.
///
/// Matches come in tiers: exact name, then prefix, then substring (all ignoring case, the query taken
/// literally), then names whose trigram similarity to the query reaches ``fuzzyThreshold``.
/// Within a tier, higher similarity first, then the lower-cased name in byte order, then the id.
public enum GeneSearch {
    /// Lowest trigram similarity a fuzzy match needs. Lower than pg_trgm's default 0.3 so that
    /// transposed letters (`BRAC` for `BRCA1`, similarity 0.22) still find the gene; just above 0.2 because
    /// at 0.2 a trigram index must recheck every name sharing a single trigram with a four-letter query
    /// (about 2.3x slower on 200k genes), and such names can never reach 0.2 anyway.
    public static let fuzzyThreshold: Float = 0.21

    /// A search query that passed validation.
    public struct Query: Sendable, Hashable {
        /// The trimmed query as typed.
        public let text: String
        /// The lower-cased query used for comparison.
        public let key: String
        /// The query's trigrams.
        public let trigrams: Trigrams

        /// Validates a raw query: trimmed, not empty, at most ``GenesetRules/maximumPatternLength`` characters, text
        /// every store can hold (``StorableText``).
        public init(_ raw: String, field: String = "q") throws(ValidationError) {
            let text = raw.trimmingWhitespace()
            if text.isEmpty { throw ValidationError([FieldError(field: field, reason: "must not be empty")]) }
            try StorableText.check(text, field: field)
            if text.count > GenesetRules.maximumPatternLength {
                throw ValidationError([FieldError(field: field, reason: "must be at most \(GenesetRules.maximumPatternLength) characters")])
            }
            self.text = text
            self.key = text.lowercased()
            self.trigrams = Trigrams(text)
        }
    }

    /// How `name` (with its precomputed trigrams) matches `query`, or `nil` when it does not.
    public static func match(name: String, trigrams: Trigrams, query: Query) -> (kind: GeneMatchKind, similarity: Float)? {
        let key = GenesetRules.key(forGeneName: name)
        let similarity = trigrams.similarity(to: query.trigrams)
        if key == query.key { return (.exact, similarity) }
        if key.hasPrefix(query.key) { return (.prefix, similarity) }
        if key.contains(query.key) { return (.substring, similarity) }
        if similarity >= fuzzyThreshold { return (.fuzzy, similarity) }
        return nil
    }

    /// Whether `lhs` ranks before `rhs`.
    public static func ranksBefore(_ lhs: GeneMatch, _ rhs: GeneMatch) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        if lhs.similarity != rhs.similarity { return lhs.similarity > rhs.similarity }
        let lhsKey = Array(GenesetRules.key(forGeneName: lhs.gene.name).utf8)
        let rhsKey = Array(GenesetRules.key(forGeneName: rhs.gene.name).utf8)
        if lhsKey != rhsKey { return lhsKey.lexicographicallyPrecedes(rhsKey) }
        return lhs.gene.id < rhs.gene.id
    }
}
