/// A streaming reader of GMT gene-set files (the format of MSigDB, Enrichr and gseapy).
///
/// Feed byte chunks of any size in order; it hands out a `Result` per non-blank line — a ``GMTRecord`` or a
/// ``GMTProblem`` — and holds only the line being read, so memory stays bounded by
/// ``GMTRules/maximumLineLength`` whatever the file size. Rules:
/// - one set per line: `name<TAB>description<TAB>gene...`, split on every single tab, so an empty description
///   stays empty and never shifts the first gene into its place (GSEA's tokenizer collapses tabs and does);
/// - LF, CRLF or CR line ends; a last line without one; blank (or blank-only) lines skipped. `#` has no meaning:
///   the format has no comments and gseapy reads such a line as a set;
/// - fields are trimmed; empty gene fields (a trailing tab, two tabs in a row) are dropped, as gseapy's
///   `strip()` and GSEA's parser drop them; a line needs a name, a description column and at least one gene;
/// - a gene repeated in a line (ignoring case) counts once and is listed in ``GMTRecord/duplicateGenes``;
/// - names follow the gene-set title rules, genes ``GenesetDraft/problem(withGeneName:)``, and a set has at most
///   ``GMTRules/maximumGenesPerSet`` genes;
/// - a set name repeated in the file (ignoring case) is a problem on the later line: a collection needs unique
///   names, and the earlier set has already been handed out. (gseapy lets the later one win silently.)
/// - invalid UTF-8, a NUL byte (Postgres cannot store it) and an over-long line are problems of that line.
///
/// A line with any problem yields no record. Whether one problem rejects the whole file (strict) or the bad
/// lines are skipped (lenient) is the caller's choice: every problem is reported either way.
public struct GMTReader: Sendable {
    private var bytes: [UInt8] = []
    /// The current line is too long: its bytes are dropped up to the next line end.
    private var overflowed = false
    /// 1-based number of the line being read.
    private var line = 1
    /// A CR ended the previous line: an LF right after it belongs to the same line end.
    private var afterCR = false
    /// Keys of the set names read so far.
    private var names = Set<String>()

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    /// Creates a reader positioned at the start of a file.
    public init() {}

    /// Reads a chunk, calling `onLine` for every non-blank line it completes.
    public mutating func feed(_ chunk: some Collection<UInt8>, _ onLine: (Result<GMTRecord, GMTProblem>) throws -> Void) rethrows {
        for byte in chunk {
            if afterCR {
                afterCR = false
                if byte == Self.lf { continue }
            }
            if byte == Self.lf || byte == Self.cr {
                afterCR = byte == Self.cr
                try endLine(onLine)
            } else if overflowed {
                continue
            } else if bytes.count == GMTRules.maximumLineLength {
                overflowed = true
                bytes = []
            } else {
                bytes.append(byte)
            }
        }
    }

    /// Ends the file, calling `onLine` for a last line without a line end.
    public mutating func finish(_ onLine: (Result<GMTRecord, GMTProblem>) throws -> Void) rethrows {
        if overflowed || !bytes.isEmpty { try endLine(onLine) }
        afterCR = false
    }

    /// Reads a whole in-memory file: the records and the problems, in line order.
    public static func read(_ file: some Collection<UInt8>) -> (records: [GMTRecord], problems: [GMTProblem]) {
        var reader = GMTReader()
        var records: [GMTRecord] = []
        var problems: [GMTProblem] = []
        let collect: (Result<GMTRecord, GMTProblem>) -> Void = { result in
            switch result {
            case .success(let record): records.append(record)
            case .failure(let problem): problems.append(problem)
            }
        }
        reader.feed(file, collect)
        reader.finish(collect)
        return (records, problems)
    }

    private mutating func endLine(_ onLine: (Result<GMTRecord, GMTProblem>) throws -> Void) rethrows {
        let number = line
        line += 1
        defer {
            bytes.removeAll(keepingCapacity: bytes.count <= 1 << 16)
            overflowed = false
        }
        if overflowed {
            try onLine(.failure(GMTProblem(line: number, setName: nil, reason: "line is longer than \(GMTRules.maximumLineLength) bytes")))
            return
        }
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return }
        switch parse(number) {
        case .success(let record): try onLine(.success(record))
        case .failure(let problems): for problem in problems.list { try onLine(.failure(problem)) }
        }
    }

    /// A list of problems as an error, so that a line's parse can return them all.
    private struct Problems: Error {
        var list: [GMTProblem]
    }

    private mutating func parse(_ number: Int) -> Result<GMTRecord, Problems> {
        if bytes.contains(0) {
            return .failure(Problems(list: [GMTProblem(line: number, setName: nil, reason: "contains a NUL byte")]))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(Problems(list: [GMTProblem(line: number, setName: nil, reason: "is not valid UTF-8")]))
        }
        let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
        let name = fields[0].trimmingGMTBlanks()
        var reasons: [String] = []
        if fields.count < 3 {
            reasons.append("needs a name, a description and at least one gene, separated by tabs (found \(fields.count) field(s))")
        }
        if let reason = GMTRules.problem(withSetName: name) { reasons.append(reason) }

        var genes: [String] = []
        var duplicates: [String] = []
        var seen = Set<String>()
        var badGenes = 0
        for (offset, field) in fields.dropFirst(2).enumerated() {
            let gene = field.trimmingGMTBlanks()
            if gene.isEmpty { continue }
            if let reason = GenesetDraft.problem(withGeneName: gene) {
                badGenes += 1
                // Column numbers are 1-based like the line: the first gene is in column 3.
                if badGenes <= GMTRules.maximumProblemsPerLine { reasons.append("gene in column \(offset + 3) \(reason)") }
            } else if seen.insert(GenesetRules.key(forGeneName: gene)).inserted {
                genes.append(gene)
            } else {
                duplicates.append(gene)
            }
        }
        if badGenes > GMTRules.maximumProblemsPerLine {
            reasons.append("\(badGenes - GMTRules.maximumProblemsPerLine) more invalid genes")
        }
        if fields.count >= 3 && genes.isEmpty && badGenes == 0 {
            reasons.append("has no genes")
        }
        if genes.count > GMTRules.maximumGenesPerSet {
            reasons.append("has \(genes.count) genes, more than \(GMTRules.maximumGenesPerSet)")
        }
        if reasons.isEmpty && !names.insert(GenesetRules.key(forGeneName: name)).inserted {
            reasons.append("repeats the name of an earlier set")
        }
        guard reasons.isEmpty else {
            let setName = name.isEmpty ? nil : name
            return .failure(Problems(list: reasons.map { GMTProblem(line: number, setName: setName, reason: $0) }))
        }
        let description = fields[1].trimmingGMTBlanks()
        return .success(GMTRecord(line: number, name: name, description: description, genes: genes, duplicateGenes: duplicates))
    }
}

extension Substring {
    /// The field without surrounding white space (tabs cannot occur: they separate fields).
    fileprivate func trimmingGMTBlanks() -> String {
        String(self).trimmingWhitespace()
    }
}
