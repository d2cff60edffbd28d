import AssayDomain

extension Ownership {
    /// The ownership stored in an `owner` and a `visibility` column (migration 11); a visibility the Domain does not
    /// know is an ``UnexpectedResult``, not a silent default.
    static func stored(owner: String, visibility: String, of what: String) throws -> Ownership {
        guard let known = Visibility(rawValue: visibility) else {
            throw UnexpectedResult(operation: "read the visibility '\(visibility)' of \(what)")
        }
        return Ownership(owner: owner, visibility: known)
    }
}
