/// Text every store can hold.
///
/// Postgres `text` cannot hold U+0000 (it fails with "invalid byte sequence for encoding UTF8: 0x00"), while memory
/// would take it: a difference between adapters that validation removes by refusing such text before any adapter
/// sees it. Swift strings are always valid Unicode, so NUL is the one character to refuse.
public enum StorableText {
    /// The reason a field with `text` is refused, or `nil` when every store can hold it.
    public static func problem(with text: some StringProtocol) -> String? {
        text.utf8.contains(0) ? "must not contain the NUL character (U+0000)" : nil
    }

    /// The same rule for raw UTF-8 bytes (CSV values).
    public static func problem(withBytes bytes: some Sequence<UInt8>) -> String? {
        bytes.contains(0) ? "must not contain the NUL character (U+0000)" : nil
    }

    /// Throws a ``ValidationError`` naming `field` when `text` cannot be stored.
    public static func check(_ text: some StringProtocol, field: String) throws(ValidationError) {
        if let reason = problem(with: text) { throw ValidationError([FieldError(field: field, reason: reason)]) }
    }
}
