import AssayDomain

extension Species {
    /// The species of a stored taxid (a `species` column); a taxid the Domain does not know means the database holds
    /// rows this build cannot read.
    static func stored(_ taxid: Int, of what: String) throws -> Species {
        guard let species = Species(rawValue: taxid) else { throw UnexpectedResult(operation: "read species \(taxid) of \(what)") }
        return species
    }
}
