#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Durations such as `30d`, `12h`, `90m` or `45s`, as used by `--expires-in` and `expires_in`.
public enum DurationText {
    /// Seconds in `text`, or `nil` when it is not a positive number with one of the units s, m, h, d.
    public static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let number = Double(text.dropLast()), number > 0, number.isFinite else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3_600
        case "d": return number * 86_400
        default: return nil
        }
    }
}
