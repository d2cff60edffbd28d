import AssayDomain

extension Species {
    /// The species a request names in `field` (`human`, `mouse` or a taxid), `nil` when absent; anything else is a
    /// validation error naming the field and the accepted spellings.
    static func requested(_ text: String?, field: String = "species") throws(ValidationError) -> Species? {
        guard let text else { return nil }
        guard let species = Species(parsing: text) else {
            throw ValidationError([FieldError(field: field, reason: "must be one of \(Species.acceptedSpellings), got '\(text)'")])
        }
        return species
    }
}
