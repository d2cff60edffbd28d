/// Finds a key given twice in one JSON object.
///
/// RFC 8259 says object names SHOULD be unique and leaves duplicates to the parser: Foundation keeps one silently, other
/// parsers keep the other. Assay refuses them (400), so what a client meant is never a guess. Keys are compared after
/// unescaping (`"t\u0069tle"` is `"title"`). The scan is one pass over the bytes; it does not validate the JSON (the
/// decoder does).
enum JSONDuplicateKeys {
    private enum Frame {
        case object(keys: Set<String>, expectingKey: Bool)
        case array
    }

    /// The first key that appears twice in one object, or `nil`.
    static func first(in bytes: [UInt8]) -> String? {
        var stack: [Frame] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(.object(keys: [], expectingKey: true))
            case UInt8(ascii: "["):
                stack.append(.array)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
            case UInt8(ascii: ","):
                if case .object(let keys, _) = stack.last { stack[stack.count - 1] = .object(keys: keys, expectingKey: true) }
            case UInt8(ascii: "\""):
                let (text, end) = string(in: bytes, from: index + 1)
                index = end
                if case .object(var keys, true) = stack.last {
                    guard keys.insert(text).inserted else { return text }
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: false)
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The unescaped string whose first byte after the opening quote is at `start`, and the index of its closing quote.
    private static func string(in bytes: [UInt8], from start: Int) -> (String, Int) {
        var utf8: [UInt8] = []
        var index = start
        var pendingHighSurrogate: UInt32?
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                utf8.append(bytes[index])
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count, let unit = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                    continue
                }
                index += 4
                if (0xD800..<0xDC00).contains(unit) {
                    pendingHighSurrogate = unit
                    continue
                }
                var value = unit
                if let high = pendingHighSurrogate, (0xDC00..<0xE000).contains(unit) {
                    value = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                }
                pendingHighSurrogate = nil
                utf8 += Array(String(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}").utf8)
            default: utf8.append(escaped)
            }
        }
        return (String(decoding: utf8, as: UTF8.self), index)
    }
}
