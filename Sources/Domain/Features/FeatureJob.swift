#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The state of one run while it reads its input: the catalog of users and compounds, one aggregate per user,
/// and the report. Experiments are folded into the aggregates as they stream past and never kept.
final class FeatureJob {
    private struct User {
        var id: Int64
        var name: String
        var email: String
        var signup: Date
        var line: Int
    }

    /// Reading stopped for this file: its header or syntax is unusable.
    private struct FileUnusable: Error {}

    var run: ETLRun
    /// A problem that makes the input unusable whatever the mode (missing file or column, empty file, bad syntax).
    private(set) var fatal: ETLIssue?
    private(set) var acceptedExperiments = 0

    private var compounds: [Compound] = []
    private var compoundLines: [Int] = []
    /// Compound id → index in ``compounds``; once compounds are read, ``compounds`` is sorted by id.
    private var compoundIndex: [Int64: Int] = [:]
    private var users: [User] = []
    private var userIndex: [Int64: Int] = [:]
    private var experimentCounts: [Int] = []
    private var runTimes: [Double] = []
    private var tallies: [CompoundTally] = []
    /// The compounds of the experiment being read (reused between rows).
    private var rowCompounds: [Int] = []

    init(run: ETLRun) {
        self.run = run
    }

    /// Reads one file to its end, reporting every bad row; `progress` gets the size of every chunk read.
    func read(_ file: ETLFile, from input: any ETLInput, progress: (Int) async throws -> Void) async throws {
        var scanner = CSVScanner()
        var columns: ColumnPositions?
        var width = 0
        var headerLine = 0
        var rows = 0
        let take: (CSVRecord) throws -> Void = { record in
            guard let columns else {
                (columns, width, headerLine) = (try self.header(record, of: file), record.count, record.line)
                return
            }
            rows += 1
            if let issue = self.row(record, of: file, columns: columns, width: width) {
                self.run.counts.rejected += 1
                self.run.report(issue)
            }
        }
        do {
            for try await chunk in try await input.chunks(of: file) {
                try Task.checkCancellation()
                try scanner.feed(chunk, take)
                try await progress(chunk.count)
            }
            try scanner.finish(take)
        } catch is FileUnusable {
            return
        } catch let error as CSVSyntaxError {
            return fail(ETLIssue(file: file.rawValue, line: error.line, column: nil, reason: error.reason))
        } catch let error as ETLError {
            guard case .unreadable(_, let reason) = error else { throw error }
            return fail(ETLIssue(file: file.rawValue, line: nil, column: nil, reason: reason))
        }
        switch file {
        case .users: run.counts.users = rows
        case .compounds: run.counts.compounds = rows
        case .experiments: run.counts.experiments = rows
        }
        if columns == nil {
            fail(ETLIssue(file: file.rawValue, line: nil, column: nil, reason: "the file is empty: no header line"))
        } else if rows == 0 {
            fail(ETLIssue(file: file.rawValue, line: headerLine, column: nil, reason: "the file has a header but no rows"))
        }
        if file == .compounds { indexCompounds() }
    }

    /// Marks the input unusable.
    func fail(_ issue: ETLIssue) {
        run.report(issue)
        if fatal == nil { fatal = issue }
    }

    /// The feature rows, ascending by user id; users without experiments included.
    func features() -> [UserFeatures] {
        users.indices.sorted { users[$0].id < users[$1].id }.map { index in
            let user = users[index]
            let count = experimentCounts[index]
            let top = tallies[index].top()
            return UserFeatures(
                userID: user.id, name: user.name, email: user.email, signupDate: user.signup, experimentCount: count,
                totalRunTime: runTimes[index], averageRunTime: count > 0 ? runTimes[index] / Double(count) : nil,
                distinctCompounds: tallies[index].distinct, topCompound: top.map { compounds[$0.compounds[0]] },
                topCompoundUses: top?.uses ?? 0, tiedCompounds: top?.compounds.map { compounds[$0].id } ?? [])
        }
    }

    /// Accepted users.
    var userCount: Int { users.count }

    // MARK: - Header and rows

    /// Where each required column is, or a fatal problem.
    private func header(_ record: CSVRecord, of file: ETLFile) throws -> ColumnPositions {
        var positions: [String: Int] = [:]
        for index in 0..<record.count {
            let name = (record.string(index) ?? "").lowercased()
            if positions[name] != nil, file.columns.contains(name) {
                fail(ETLIssue(file: file.rawValue, line: record.line, column: name, reason: "the column appears twice in the header"))
                throw FileUnusable()
            }
            positions[name] = index
        }
        do {
            return try ColumnPositions(file: file, header: positions)
        } catch {
            for column in error.columns {
                fail(ETLIssue(file: file.rawValue, line: record.line, column: column.header, reason: "missing column in the header"))
            }
            throw FileUnusable()
        }
    }

    private func row(_ record: CSVRecord, of file: ETLFile, columns: ColumnPositions, width: Int) -> ETLIssue? {
        guard record.count == width else {
            return ETLIssue(file: file.rawValue, line: record.line, column: nil, reason: "expected \(width) values, found \(record.count)")
        }
        let problem: (column: String, reason: String)? =
            switch file {
            case .compounds: compound(record, columns)
            case .users: user(record, columns)
            case .experiments: experiment(record, columns)
            }
        return problem.map { ETLIssue(file: file.rawValue, line: record.line, column: $0.column, reason: $0.reason) }
    }

    private func compound(_ record: CSVRecord, _ columns: ColumnPositions) -> (String, String)? {
        guard let id = ValueParsing.identifier(record[columns[.compoundID]]) else {
            return ("compound_id", "\(Self.quoted(record[columns[.compoundID]])) is not a non-negative integer")
        }
        if let first = compoundIndex[id] {
            return ("compound_id", "duplicate compound id \(id) (first on line \(compoundLines[first]))")
        }
        guard let name = Self.text(record[columns[.compoundName]]) else { return ("compound_name", Self.textProblem(record[columns[.compoundName]])) }
        guard let structure = Self.text(record[columns[.compoundStructure]]) else {
            return ("compound_structure", Self.textProblem(record[columns[.compoundStructure]]))
        }
        compoundIndex[id] = compounds.count
        compounds.append(Compound(id: id, name: name, structure: structure))
        compoundLines.append(record.line)
        return nil
    }

    /// Sorts the compounds by id so that index order is id order (the tie rule picks the lowest id).
    private func indexCompounds() {
        compounds.sort { $0.id < $1.id }
        compoundIndex = Dictionary(uniqueKeysWithValues: compounds.enumerated().map { ($1.id, $0) })
        compoundLines = []
    }

    private func user(_ record: CSVRecord, _ columns: ColumnPositions) -> (String, String)? {
        guard let id = ValueParsing.identifier(record[columns[.userID]]) else {
            return ("user_id", "\(Self.quoted(record[columns[.userID]])) is not a non-negative integer")
        }
        if let first = userIndex[id] { return ("user_id", "duplicate user id \(id) (first on line \(users[first].line))") }
        guard let name = Self.text(record[columns[.name]]) else { return ("name", Self.textProblem(record[columns[.name]])) }
        guard let email = Self.text(record[columns[.email]]) else { return ("email", Self.textProblem(record[columns[.email]])) }
        guard email.utf8.contains(UInt8(ascii: "@")) else { return ("email", "\(Self.quoted(record[columns[.email]])) is not an e-mail address") }
        guard let signup = ValueParsing.date(record[columns[.signupDate]]) else {
            return ("signup_date", "\(Self.quoted(record[columns[.signupDate]])) is not a date (YYYY-MM-DD or ISO 8601)")
        }
        userIndex[id] = users.count
        users.append(User(id: id, name: name, email: email, signup: signup, line: record.line))
        experimentCounts.append(0)
        runTimes.append(0)
        tallies.append(CompoundTally())
        return nil
    }

    private func experiment(_ record: CSVRecord, _ columns: ColumnPositions) -> (String, String)? {
        guard ValueParsing.identifier(record[columns[.experimentID]]) != nil else {
            return ("experiment_id", "\(Self.quoted(record[columns[.experimentID]])) is not a non-negative integer")
        }
        guard let userID = ValueParsing.identifier(record[columns[.experimentUserID]]) else {
            return ("user_id", "\(Self.quoted(record[columns[.experimentUserID]])) is not a non-negative integer")
        }
        guard let user = userIndex[userID] else { return ("user_id", "unknown user \(userID)") }
        if let problem = parseCompounds(record[columns[.experimentCompoundIDs]]) { return ("experiment_compound_ids", problem) }
        guard let runTime = ValueParsing.duration(record[columns[.experimentRunTime]]) else {
            return ("experiment_run_time", "\(Self.quoted(record[columns[.experimentRunTime]])) is not a number")
        }
        guard runTime >= 0 else { return ("experiment_run_time", "\(Self.quoted(record[columns[.experimentRunTime]])) is negative") }
        guard experimentCounts[user] < Int(UInt32.max) else { return ("user_id", "more than \(UInt32.max) experiments for user \(userID)") }
        experimentCounts[user] += 1
        runTimes[user] += runTime
        for compound in rowCompounds { tallies[user].add(compound, compoundCount: compounds.count) }
        acceptedExperiments += 1
        return nil
    }

    /// Fills ``rowCompounds`` from `1;2;3`, or says what is wrong.
    private func parseCompounds(_ bytes: ArraySlice<UInt8>) -> String? {
        rowCompounds.removeAll(keepingCapacity: true)
        guard !bytes.isEmpty else { return "no compound ids" }
        var start = bytes.startIndex
        while start <= bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            let piece = Self.trimmed(bytes[start..<end])
            guard let id = ValueParsing.identifier(piece) else {
                return piece.isEmpty ? "empty compound id in the list" : "\(Self.quoted(piece)) is not a compound id"
            }
            guard let index = compoundIndex[id] else { return "unknown compound \(id)" }
            if rowCompounds.contains(index) { return "compound \(id) is listed twice" }
            rowCompounds.append(index)
            start = end + 1
        }
        return nil
    }

    // MARK: - Values

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return [] }
        return bytes[first...last]
    }

    /// A non-empty UTF-8 value every store can hold (``StorableText``: no NUL).
    private static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, StorableText.problem(withBytes: bytes) == nil else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func textProblem(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.isEmpty { return "empty value" }
        return StorableText.problem(withBytes: bytes) ?? "not valid UTF-8"
    }

    /// A value for a message: quoted, shortened, invalid bytes replaced, NUL written `\0` (the message is stored with
    /// the run, and no store can hold NUL).
    private static func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(40), as: UTF8.self).replacingNUL()
        return "'\(text)\(bytes.count > 40 ? "…" : "")'"
    }
}

extension String {
    /// The text with each NUL written as `\0`.
    fileprivate func replacingNUL() -> String {
        guard utf8.contains(0) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.flatMap { $0.value == 0 ? Array("\\0".unicodeScalars) : [$0] }))
    }
}
