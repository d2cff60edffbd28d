/// LIKE patterns built from user text: `%`, `_` and the escape character `\` are escaped so they match
/// themselves. Used with `ESCAPE '\'` spelled out in every query.
enum LikePattern {
    /// Escapes `text` for use inside a LIKE pattern.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if character == "\\" || character == "%" || character == "_" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// A pattern matching values that contain `text`.
    static func contains(_ text: String) -> String { "%" + escape(text) + "%" }

    /// A pattern matching values that start with `text`.
    static func prefix(_ text: String) -> String { escape(text) + "%" }
}
