/// A resolution request that passed validation: trimmed names and a species.
public struct GeneResolutionRequest: Sendable, Hashable {
    /// Trimmed names, in input order, repeats kept (they are reported, not dropped).
    public let names: [String]
    /// The species to resolve against.
    public let species: Species

    /// Validates raw input, reporting every broken rule with its field (`genes`, `genes[3]`, `species`).
    public init(genes rawNames: [String], species rawSpecies: String) throws(ValidationError) {
        var errors: [FieldError] = []
        if rawNames.isEmpty {
            errors.append(FieldError(field: "genes", reason: "must contain at least one gene"))
        } else if rawNames.count > GeneReferenceRules.maximumGenesPerRequest {
            errors.append(FieldError(field: "genes", reason: "must contain at most \(GeneReferenceRules.maximumGenesPerRequest) genes"))
        }
        let species = Species(parsing: rawSpecies)
        if species == nil {
            errors.append(FieldError(field: "species", reason: "must be one of \(Species.acceptedSpellings)"))
        }
        var names: [String] = []
        // A list over the limit is refused whole; checking each of its names would only lengthen the answer.
        if rawNames.count <= GeneReferenceRules.maximumGenesPerRequest {
            names.reserveCapacity(rawNames.count)
            for (index, raw) in rawNames.enumerated() {
                let name = raw.trimmingWhitespace()
                if let reason = GenesetDraft.problem(withGeneName: name) {
                    errors.append(FieldError(field: "genes[\(index)]", reason: reason))
                }
                names.append(name)
            }
        }
        guard errors.isEmpty, let species else { throw ValidationError(errors) }
        self.names = names
        self.species = species
    }

    /// Validates names for a species already known.
    public init(genes rawNames: [String], species: Species) throws(ValidationError) {
        try self.init(genes: rawNames, species: species.name)
    }
}
