/// A validated over-representation question: a gene list, the background it was drawn from, and which sets
/// to test.
public struct EnrichmentQuery: Sendable, Hashable {
    /// The population the list was drawn from.
    public enum Background: Sendable, Hashable {
        /// Every gene of the indexed sets (gseapy's default): list genes in no set are unmapped.
        case sets
        /// The genes measured in the experiment: the list and every set are intersected with them.
        case genes([String])
        /// Only the population size, e.g. 20,000: the list and the sets are used as they are (gseapy's integer).
        case size(Int)
    }

    /// The list, trimmed, in input order, each gene once ignoring case (first spelling kept).
    public let genes: [String]
    /// List entries that repeat an earlier one ignoring case, trimmed, in input order.
    public let duplicates: [String]
    /// The background; a gene list is trimmed and holds each gene once ignoring case.
    public let background: Background
    /// Background list entries that repeat an earlier one ignoring case (they count once).
    public let backgroundDuplicates: Int
    /// Smallest set tested, counted within the background.
    public let minimumSetSize: Int
    /// Largest set tested, counted within the background; `nil` for no bound.
    public let maximumSetSize: Int?
    /// Number of result rows.
    public let limit: Int

    /// Validates raw input, reporting every broken rule with its field (`genes[3]`, `background[0]`, `limit`, ...).
    ///
    /// Gene names follow ``GenesetDraft/problem(withGeneName:)``. A repeated gene is not an error: it counts once
    /// and is reported in ``duplicates``. A background size must be at least the number of distinct list genes.
    public init(
        genes rawGenes: [String],
        background rawBackground: Background = .sets,
        minimumSetSize: Int = 1,
        maximumSetSize: Int? = nil,
        limit: Int = EnrichmentRules.defaultLimit
    ) throws(ValidationError) {
        var errors: [FieldError] = []
        if rawGenes.isEmpty {
            errors.append(FieldError(field: "genes", reason: "must contain at least one gene"))
        } else if rawGenes.count > EnrichmentRules.maximumListGenes {
            errors.append(FieldError(field: "genes", reason: "must contain at most \(EnrichmentRules.maximumListGenes) genes"))
        }
        let list = Self.distinctNames(rawGenes, field: "genes", errors: &errors)

        var backgroundDuplicates = 0
        let background: Background
        switch rawBackground {
        case .sets:
            background = .sets
        case .genes(let rawNames):
            if rawNames.isEmpty {
                errors.append(FieldError(field: "background", reason: "must contain at least one gene"))
            } else if rawNames.count > EnrichmentRules.maximumBackgroundGenes {
                errors.append(FieldError(field: "background", reason: "must contain at most \(EnrichmentRules.maximumBackgroundGenes) genes"))
            }
            let names = Self.distinctNames(rawNames, field: "background", errors: &errors)
            backgroundDuplicates = names.duplicates.count
            background = .genes(names.distinct)
        case .size(let size):
            if size < 1 || size > EnrichmentRules.maximumBackgroundSize {
                errors.append(FieldError(field: "background", reason: "must be between 1 and \(EnrichmentRules.maximumBackgroundSize)"))
            } else if size < list.distinct.count {
                errors.append(FieldError(field: "background", reason: "must be at least the number of distinct list genes (\(list.distinct.count))"))
            }
            background = .size(size)
        }

        if minimumSetSize < 1 {
            errors.append(FieldError(field: "min_size", reason: "must be at least 1"))
        }
        if let maximumSetSize, maximumSetSize < max(1, minimumSetSize) {
            errors.append(FieldError(field: "max_size", reason: "must be at least min_size"))
        }
        if !(1...EnrichmentRules.maximumLimit).contains(limit) {
            errors.append(FieldError(field: "limit", reason: "must be between 1 and \(EnrichmentRules.maximumLimit)"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        self.genes = list.distinct
        self.duplicates = list.duplicates
        self.background = background
        self.backgroundDuplicates = backgroundDuplicates
        self.minimumSetSize = minimumSetSize
        self.maximumSetSize = maximumSetSize
        self.limit = limit
    }

    /// Invalid names reported one by one per list; the rest are counted.
    static let maximumErrorsPerList = 100

    /// Trimmed names, each once ignoring case, and the repeats; bad names become errors at `field[i]`.
    private static func distinctNames(
        _ raw: [String], field: String, errors: inout [FieldError]
    ) -> (distinct: [String], duplicates: [String]) {
        var distinct: [String] = []
        var duplicates: [String] = []
        var seen = Set<String>()
        var invalid = 0
        distinct.reserveCapacity(raw.count)
        for (index, rawName) in raw.enumerated() {
            let name = rawName.trimmingWhitespace()
            if let reason = GenesetDraft.problem(withGeneName: name) {
                invalid += 1
                // A wrong file pasted as a 200,000-gene background must not produce 200,000 errors.
                if invalid <= maximumErrorsPerList { errors.append(FieldError(field: "\(field)[\(index)]", reason: reason)) }
            } else if seen.insert(GenesetRules.key(forGeneName: name)).inserted {
                distinct.append(name)
            } else {
                duplicates.append(name)
            }
        }
        if invalid > maximumErrorsPerList {
            errors.append(FieldError(field: field, reason: "\(invalid - maximumErrorsPerList) more invalid names"))
        }
        return (distinct, duplicates)
    }
}
