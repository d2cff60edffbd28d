import Foundation
public import Logging

/// The shape of log lines on standard error (`ASSAY_LOG_FORMAT`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `key=value` pairs, one line per event: `ts=… level=info logger=assay msg=request status=200 …`.
    case logfmt
    /// One JSON object per line: `{"ts": …, "level": "info", "msg": "request", "status": "200", …}`.
    case json
    /// swift-log's plain text, for reading in a terminal.
    case text
}

/// A swift-log handler that writes one structured line per event (logfmt or JSON) to standard error, with
/// every metadata value, such as the request id, as its own field.
public struct StructuredLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: LogFormat
    private let write: @Sendable (String) -> Void

    /// Creates a handler for `label` that writes to standard error.
    public init(label: String, format: LogFormat) {
        self.init(label: label, format: format) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// Creates a handler for `label`; `write` receives each finished line.
    public init(label: String, format: LogFormat, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())), ("level", event.level.rawValue),
            ("logger", label), ("msg", event.message.description),
        ]
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() { fields.append((key, merged[key].map { "\($0)" } ?? "")) }
        if let error = event.error { fields.append(("error", "\(error)")) }
        if event.level >= .error { fields.append(("source", "\(event.source) \((event.file as NSString).lastPathComponent):\(event.line)")) }
        write(Self.line(fields, format: format) + "\n")
    }

    /// One event's fields as a line, without the newline.
    static func line(_ fields: [(String, String)], format: LogFormat) -> String {
        switch format {
        case .json:
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        case .logfmt, .text:
            return fields.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        }
    }

    private static func logfmtValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 0x7F }
        return plain ? value : jsonString(value)
    }

    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
