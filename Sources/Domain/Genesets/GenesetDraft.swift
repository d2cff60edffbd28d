/// Limits on gene-set input.
public enum GenesetRules {
    /// Longest title, in characters.
    public static let maximumTitleLength = 200
    /// Longest gene name, in characters.
    public static let maximumGeneNameLength = 64
    /// Most genes in one set.
    public static let maximumGenesPerSet = 5_000
    /// Longest search pattern, in characters.
    public static let maximumPatternLength = 200

    /// The case-insensitive key under which a gene name is unique.
    public static func key(forGeneName name: String) -> String { name.lowercased() }

    /// The order in which genes new to the catalog receive ids: by key, in byte order.
    ///
    /// Adapters that lock genes while storing them (Postgres) take the locks in this order, which rules out
    /// deadlocks between concurrent writers; every adapter assigns ids in it so their results are identical.
    public static func idAssignmentOrder(_ names: some Sequence<String>) -> [String] {
        names.map { (key: Array(key(forGeneName: $0).utf8), name: $0) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map(\.name)
    }
}

/// A gene set's content that passed validation: ready to be stored.
public struct GenesetDraft: Sendable, Hashable {
    /// Trimmed title.
    public let title: String
    /// Trimmed gene names, unique ignoring case, in input order.
    public let geneNames: [String]
    /// Trimmed free text (a GMT file's second column), or `nil`.
    public let description: String?
    /// The collection the set belongs to, or `nil`. A replacement without one keeps the set where it is.
    public let collectionID: Int64?
    /// The species asked for, or `nil`: then the collection's on creation (human without one), and unchanged on
    /// replacement unless the set moves to a collection. A species other than the collection's is refused with
    /// ``CollectionError/speciesMismatch(collection:collectionSpecies:species:)``.
    public let species: Species?
    /// The owner of a new set without a collection (a set in a collection gets the collection's owner). Replacing a
    /// set keeps its owner.
    public var owner: String = UserName.admin
    /// The visibility asked for, or `nil`: then public for a new set, unchanged on replacement. A set in a
    /// collection gets the collection's visibility whatever this says.
    public var visibility: Visibility? = nil

    /// Validates raw input, reporting every broken rule with its field (`title`, `genes[i].name`, `description`,
    /// `collection`).
    public init(
        title rawTitle: String, geneNames rawNames: [String], description rawDescription: String? = nil, collectionID: Int64? = nil,
        species: Species? = nil
    ) throws(ValidationError) {
        var errors: [FieldError] = []
        let title = rawTitle.trimmingWhitespace()
        if title.isEmpty {
            errors.append(FieldError(field: "title", reason: "must not be empty"))
        } else if title.count > GenesetRules.maximumTitleLength {
            errors.append(FieldError(field: "title", reason: "must be at most \(GenesetRules.maximumTitleLength) characters"))
        } else if title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError(field: "title", reason: "must not contain control characters"))
        }

        if rawNames.isEmpty {
            errors.append(FieldError(field: "genes", reason: "must contain at least one gene"))
        } else if rawNames.count > GenesetRules.maximumGenesPerSet {
            errors.append(FieldError(field: "genes", reason: "must contain at most \(GenesetRules.maximumGenesPerSet) genes"))
        }

        var names: [String] = []
        names.reserveCapacity(rawNames.count)
        var firstIndex: [String: Int] = [:]
        for (index, raw) in rawNames.enumerated() {
            let field = "genes[\(index)].name"
            let name = raw.trimmingWhitespace()
            if let reason = Self.problem(withGeneName: name) {
                errors.append(FieldError(field: field, reason: reason))
                continue
            }
            let key = GenesetRules.key(forGeneName: name)
            if let first = firstIndex[key] {
                errors.append(FieldError(field: field, reason: "duplicate of genes[\(first)].name (names ignore case)"))
                continue
            }
            firstIndex[key] = index
            names.append(name)
        }
        let description = rawDescription?.trimmingWhitespace()
        if let description {
            if description.count > CollectionRules.maximumDescriptionLength {
                errors.append(
                    FieldError(field: "description", reason: "must be at most \(CollectionRules.maximumDescriptionLength) characters"))
            } else if description.unicodeScalars.contains(where: { $0.value == 0 }) {
                errors.append(FieldError(field: "description", reason: "must not contain NUL characters"))
            }
        }
        if let collectionID, collectionID <= 0 {
            errors.append(FieldError(field: "collection", reason: "must be a positive collection id"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        self.title = title
        self.geneNames = names
        self.description = description
        self.collectionID = collectionID
        self.species = species
    }

    /// A set of a GMT import, checked by ``GMTReader`` already (its gene limit is ``GMTRules/maximumGenesPerSet``,
    /// not ``GenesetRules/maximumGenesPerSet``).
    public init(importing record: GMTRecord, into collectionID: Int64) {
        self.title = record.name
        self.geneNames = record.genes
        self.description = record.description
        self.collectionID = collectionID
        self.species = nil
    }

    /// Why a trimmed gene name is refused, or `nil` when it is acceptable.
    ///
    /// Names are printable ASCII without spaces or `/` so every adapter folds case the same way
    /// and every name can be used as a path segment.
    public static func problem(withGeneName name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.count > GenesetRules.maximumGeneNameLength {
            return "must be at most \(GenesetRules.maximumGeneNameLength) characters"
        }
        let allowed = name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "/" }
        return allowed ? nil : "must be printable ASCII without spaces or '/'"
    }
}
