/// The path under `/api/` that route statistics count, normalised so that one resource has one key.
///
/// Normalising collapses repeated slashes, strips a trailing slash and adds a leading one; case is kept
/// (`/Users` and `/users` are different paths). The path must be valid text without control characters and at most
/// ``maximumBytes`` bytes of UTF-8 once normalised.
public struct RoutePath: Sendable, Hashable {
    /// Longest normalised path, in UTF-8 bytes.
    public static let maximumBytes = 1_024

    /// The normalised path, e.g. `/users/42`.
    public let value: String

    /// Normalises an already percent-decoded path.
    public init(_ raw: String) throws(RouteStatsError) {
        var normalised = "/"
        var lastWasSlash = true
        for scalar in raw.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { throw .invalidPath("the path contains a control character") }
            if scalar == "/" {
                if lastWasSlash { continue }
                lastWasSlash = true
            } else {
                lastWasSlash = false
            }
            normalised.unicodeScalars.append(scalar)
        }
        if normalised.count > 1, normalised.hasSuffix("/") { normalised.removeLast() }
        let bytes = normalised.utf8.count
        guard bytes <= Self.maximumBytes else { throw .pathTooLong(bytes: bytes) }
        self.value = normalised
    }
}
