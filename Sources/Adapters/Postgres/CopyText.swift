import AssayDomain
import Foundation
import NIOCore

/// Values in COPY's text format.
enum CopyText {
    /// Escapes backslash, tab, newline and carriage return. Works on scalars: `"\r\n"` is one Swift `Character`.
    static func escape(_ text: String) -> String {
        let special: (Unicode.Scalar) -> Bool = { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard text.unicodeScalars.contains(where: special) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// An array in Postgres's text form, every element quoted (`"` and `\\` escaped), e.g. `{"a","b\\"c"}`. COPY
    /// text escaping comes on top (``escape(_:)``).
    static func arrayLiteral(_ elements: [String]) -> String {
        var literal = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }

    /// Writes ``escape(_:)`` of ``arrayLiteral(_:)`` for `elements` into `buffer`, byte by byte: building the literal
    /// as a `String` scalar by scalar was a fifth of an import's CPU. The characters either form escapes are ASCII, so
    /// UTF-8 bytes can be handled one at a time.
    static func writeArrayLiteral(_ elements: some Sequence<String>, into buffer: inout ByteBuffer) {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                switch byte {
                // The array escapes `"` and `\` with a backslash, and COPY doubles every backslash.
                case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\"), byte]
                case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        buffer.writeBytes(bytes)
    }

    /// Writes an array of integers in Postgres's text form, e.g. `{1,2,3}` (nothing to escape).
    static func writeArrayLiteral(_ elements: some Sequence<Int64>, into buffer: inout ByteBuffer) {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            text += String(element)
        }
        text += "}"
        buffer.writeString(text)
    }

    /// A UTC timestamp with microseconds, as Postgres reads it: `2026-12-02 15:07:27.123456+00`.
    static func timestamp(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let civil = CivilDate(daysSince1970: Int(days))
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(padded(Int64(civil.year), 4))-\(padded(Int64(civil.month), 2))-\(padded(Int64(civil.day), 2)) "
            + "\(padded(secondOfDay / 3_600, 2)):\(padded(secondOfDay % 3_600 / 60, 2)):\(padded(secondOfDay % 60, 2))"
            + ".\(padded(fraction, 6))+00"
    }
}
