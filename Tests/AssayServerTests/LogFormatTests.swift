import Foundation
import Logging
import Synchronization
import Testing

@testable import AssayServer

@Suite("Structured logs")
struct LogFormatTests {
    private func lines(_ format: LogFormat, _ body: (Logger) -> Void) -> [String] {
        let written = Mutex<[String]>([])
        var logger = Logger(label: "assay") { label in
            StructuredLogHandler(label: label, format: format) { line in written.withLock { $0.append(line) } }
        }
        logger[metadataKey: "hb.request.id"] = "abc123"
        body(logger)
        return written.withLock { $0 }
    }

    @Test func jsonLinesCarryEveryFieldAndParse() throws {
        let written = lines(.json) { $0.info("request", metadata: ["status": "200", "path": "/genes/a \"b\"\n"]) }
        #expect(written.count == 1 && written[0].hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: String])
        #expect(object["msg"] == "request" && object["level"] == "info" && object["logger"] == "assay")
        #expect(object["hb.request.id"] == "abc123" && object["status"] == "200" && object["path"] == "/genes/a \"b\"\n")
        #expect(object["ts"]?.hasSuffix("Z") == true)
    }

    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        let written = lines(.logfmt) { $0.warning("slow request", metadata: ["duration_ms": "12.5", "path": "/a b"]) }
        let line = written.first ?? ""
        #expect(line.contains(#" level=warning logger=assay msg="slow request" duration_ms=12.5 hb.request.id=abc123 path="/a b""#), "\(line)")
        #expect(line.hasPrefix("ts=") && line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
    }

    @Test func theFormatIsConfigured() throws {
        #expect(try AssayConfiguration.resolve(environment: ["ASSAY_LOG_FORMAT": "JSON"]).logFormat == .json)
        #expect(try AssayConfiguration.resolve(environment: [:]).logFormat == .logfmt)
        #expect(throws: AssayConfiguration.InvalidSetting.self) { try AssayConfiguration.resolve(environment: ["ASSAY_LOG_FORMAT": "xml"]) }
    }
}
