/// Limits on collection input.
public enum CollectionRules {
    /// Longest name, in characters.
    public static let maximumNameLength = 200
    /// Longest description, in characters.
    public static let maximumDescriptionLength = 10_000

    /// The case-insensitive key under which a collection name, or a set name within a collection, is unique.
    public static func key(forName name: String) -> String { name.lowercased() }
}

/// A collection's name and description that passed validation.
public struct CollectionDraft: Sendable, Hashable {
    /// Trimmed name.
    public let name: String
    /// Trimmed description, possibly empty.
    public let description: String
    /// The species of the sets it will hold.
    public let species: Species
    /// Its owner and visibility, which its sets share; the admin's and public unless set.
    public var ownership: Ownership = .legacy

    /// Validates raw input, reporting every broken rule with its field (`name`, `description`).
    public init(name rawName: String, description rawDescription: String = "", species: Species = .human) throws(ValidationError) {
        var errors: [FieldError] = []
        let name = rawName.trimmingWhitespace()
        if name.isEmpty {
            errors.append(FieldError(field: "name", reason: "must not be empty"))
        } else if name.count > CollectionRules.maximumNameLength {
            errors.append(FieldError(field: "name", reason: "must be at most \(CollectionRules.maximumNameLength) characters"))
        } else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError(field: "name", reason: "must not contain control characters"))
        }
        let description = rawDescription.trimmingWhitespace()
        if description.count > CollectionRules.maximumDescriptionLength {
            errors.append(
                FieldError(field: "description", reason: "must be at most \(CollectionRules.maximumDescriptionLength) characters"))
        } else if description.unicodeScalars.contains(where: { $0.value == 0 }) {
            errors.append(FieldError(field: "description", reason: "must not contain NUL characters"))
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        self.name = name
        self.description = description
        self.species = species
    }
}
