#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Parsers for CSV values, straight from their UTF-8 bytes.
enum ValueParsing {
    /// A non-negative decimal integer without sign or separators.
    static func identifier(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// A finite, non-negative decimal number such as `12`, `0.5` or `1e3`.
    static func duration(_ bytes: ArraySlice<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        // Only decimal notation: Double's own parser also takes "nan", "inf" and hexadecimal.
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                UInt8(ascii: "+"), UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
        }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// A date `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
    /// (a space may replace the `T`; without an offset the time is UTC).
    static func date(_ bytes: ArraySlice<UInt8>) -> Date? {
        var reader = DigitReader(bytes)
        guard let year = reader.number(digits: 4), reader.skip("-"), let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2), CivilDate(year: year, month: month, day: day).isValid
        else { return nil }
        var seconds = Double(CivilDate(year: year, month: month, day: day).daysSince1970) * 86_400
        if reader.atEnd { return Date(timeIntervalSince1970: seconds) }
        guard reader.skip("T") || reader.skip("t") || reader.skip(" "), let hour = reader.number(digits: 2), hour < 24,
            reader.skip(":"), let minute = reader.number(digits: 2), minute < 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if reader.skip(":") {
            guard let second = reader.number(digits: 2), second < 61 else { return nil }
            seconds += Double(second)
            if reader.skip(".") || reader.skip(",") {
                var scale = 0.1
                var digits = 0
                while let digit = reader.digit() {
                    seconds += Double(digit) * scale
                    scale /= 10
                    digits += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        if reader.atEnd || reader.skip("Z") || reader.skip("z") {
            return reader.atEnd ? Date(timeIntervalSince1970: seconds) : nil
        }
        let sign: Double
        if reader.skip("+") { sign = 1 } else if reader.skip("-") { sign = -1 } else { return nil }
        guard let offsetHours = reader.number(digits: 2), offsetHours < 24 else { return nil }
        _ = reader.skip(":")
        guard let offsetMinutes = reader.number(digits: 2), offsetMinutes < 60, reader.atEnd else { return nil }
        seconds -= sign * Double(offsetHours * 3600 + offsetMinutes * 60)
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Reads ASCII digits and punctuation from the front of a byte slice.
private struct DigitReader {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { bytes.isEmpty }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard let first = bytes.first, first == UInt8(ascii: character) else { return false }
        bytes.removeFirst()
        return true
    }

    mutating func digit() -> Int? {
        guard let first = bytes.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return nil }
        bytes.removeFirst()
        return Int(first - UInt8(ascii: "0"))
    }

    mutating func number(digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
