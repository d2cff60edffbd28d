import AssayDomain
import AssayInMemory
import Foundation
import Testing

private let usersHeader = "user_id,name,email,signup_date\n"
private let compoundsHeader = "compound_id,compound_name,compound_structure\n"
private let experimentsHeader = "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n"

/// A small valid export; each case below breaks one file of it.
private let valid: [ETLFile: String] = [
    .users: usersHeader + "1,Ann,ann@lab.org,2024-01-01\n2,Ben,ben@lab.org,2024-01-02\n",
    .compounds: compoundsHeader + "1,A,H2O\n2,B,CO2\n",
    .experiments: experimentsHeader + "1,1,1;2,10\n2,2,2,5\n",
]

/// Publishes the valid export, runs `broken` in strict mode, and checks that the run failed with exactly `issue`
/// first and the published features did not change.
private func expectRejected(
    _ broken: [ETLFile: String?], _ issue: ETLIssue, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let etl = makeETL()
    #expect(try await etl.run(InMemoryETLInput(texts: valid), mode: .strict).status == .success)
    let before = try await allFeatures(etl)
    var files = valid
    for (file, text) in broken { files[file] = text }
    let run = try await etl.run(InMemoryETLInput(texts: files, chunkSize: 4), mode: .strict)
    #expect(run.status == .failed, sourceLocation: sourceLocation)
    #expect(run.errors.first == issue, sourceLocation: sourceLocation)
    #expect(run.failure?.contains("nothing was published") == true, "\(run.failure ?? "")", sourceLocation: sourceLocation)
    #expect(try await allFeatures(etl) == before, "the published set changed", sourceLocation: sourceLocation)
    #expect(try await etl.run(id: run.id) == run, sourceLocation: sourceLocation)
}

@Suite("User features ETL: bad input")
struct FeatureETLValidationTests {
    @Test func missingColumn() async throws {
        try await expectRejected(
            [.experiments: "experiment_id,user_id,experiment_run_time\n1,1,10\n"],
            ETLIssue(file: "user_experiments.csv", line: 1, column: "experiment_compound_ids", reason: "missing column in the header"))
    }

    @Test func nonNumericRunTime() async throws {
        try await expectRejected(
            [.experiments: experimentsHeader + "1,1,1,10\n2,2,2,ten\n"],
            ETLIssue(file: "user_experiments.csv", line: 3, column: "experiment_run_time", reason: "'ten' is not a number"))
    }

    @Test func negativeOrNotANumberRunTimes() async throws {
        try await expectRejected(
            [.experiments: experimentsHeader + "1,1,1,-1\n"],
            ETLIssue(file: "user_experiments.csv", line: 2, column: "experiment_run_time", reason: "'-1' is negative"))
        try await expectRejected(
            [.experiments: experimentsHeader + "1,1,1,nan\n"],
            ETLIssue(file: "user_experiments.csv", line: 2, column: "experiment_run_time", reason: "'nan' is not a number"))
    }

    @Test func unknownCompoundAndUser() async throws {
        try await expectRejected(
            [.experiments: experimentsHeader + "1,1,1;9,10\n"],
            ETLIssue(file: "user_experiments.csv", line: 2, column: "experiment_compound_ids", reason: "unknown compound 9"))
        try await expectRejected(
            [.experiments: experimentsHeader + "1,3,1,10\n"],
            ETLIssue(file: "user_experiments.csv", line: 2, column: "user_id", reason: "unknown user 3"))
    }

    @Test func emptyFileAndHeaderOnly() async throws {
        try await expectRejected(
            [.users: ""], ETLIssue(file: "users.csv", line: nil, column: nil, reason: "the file is empty: no header line"))
        try await expectRejected(
            [.compounds: "\n" + compoundsHeader], ETLIssue(file: "compounds.csv", line: 2, column: nil, reason: "the file has a header but no rows"))
        try await expectRejected([.users: nil], ETLIssue(file: "users.csv", line: nil, column: nil, reason: "the file is missing"))
    }

    @Test func duplicateIdsWrongWidthAndBadValues() async throws {
        try await expectRejected(
            [.users: usersHeader + "1,Ann,ann@lab.org,2024-01-01\n1,Ann,ann@lab.org,2024-01-01\n"],
            ETLIssue(file: "users.csv", line: 3, column: "user_id", reason: "duplicate user id 1 (first on line 2)"))
        try await expectRejected(
            [.compounds: compoundsHeader + "1,A\n"], ETLIssue(file: "compounds.csv", line: 2, column: nil, reason: "expected 3 values, found 2"))
        try await expectRejected(
            [.users: usersHeader + "1,Ann,ann@lab.org,2024-02-30\n"],
            ETLIssue(file: "users.csv", line: 2, column: "signup_date", reason: "'2024-02-30' is not a date (YYYY-MM-DD or ISO 8601)"))
        try await expectRejected(
            [.experiments: experimentsHeader + "1,1,1;1,10\n"],
            ETLIssue(file: "user_experiments.csv", line: 2, column: "experiment_compound_ids", reason: "compound 1 is listed twice"))
        try await expectRejected(
            [.users: usersHeader + "x,Ann,ann@lab.org,2024-01-01\n"],
            ETLIssue(file: "users.csv", line: 2, column: "user_id", reason: "'x' is not a non-negative integer"))
        try await expectRejected(
            [.experiments: experimentsHeader + "1,1,\"1,2\",10\n"],
            ETLIssue(file: "user_experiments.csv", line: 2, column: "experiment_compound_ids", reason: "'1,2' is not a compound id"))
        try await expectRejected(
            [.compounds: compoundsHeader + "1,\"open,H2O\n"],
            ETLIssue(file: "compounds.csv", line: 2, column: nil, reason: "quoted value is not closed before the end of the file"))
    }

    @Test func lenientModeSkipsAndReportsBadRows() async throws {
        let etl = makeETL()
        var files = valid
        files[.experiments] = experimentsHeader + "1,1,1;2,10\n2,2,2,oops\n3,9,1,1\n4,2,1,4\n"
        let run = try await etl.run(InMemoryETLInput(texts: files), mode: .lenient)
        #expect(run.status == .success)
        #expect(run.counts == ETLCounts(users: 2, compounds: 2, experiments: 4, rejected: 2, published: 2))
        #expect(run.errors.map(\.line) == [3, 4])
        #expect(run.errors.map(\.column) == ["experiment_run_time", "user_id"])
        let ben = try await etl.features(userID: 2)
        #expect(ben.experimentCount == 1 && ben.totalRunTime == 4 && ben.topCompound?.id == 1)
    }

    @Test func theReportKeepsTheFirstHundredAndCountsAll() async throws {
        let etl = makeETL()
        var files = valid
        files[.experiments] = experimentsHeader + (1...250).map { "\($0),1,1,bad\n" }.joined() + "251,1,1,2\n"
        let run = try await etl.run(InMemoryETLInput(texts: files), mode: .lenient)
        #expect(run.errorCount == 250 && run.errors.count == ETLRun.reportedIssueLimit && run.counts.rejected == 250)
        #expect(run.errors.last?.line == 101)
        #expect(try await etl.features(userID: 1).experimentCount == 1)
    }

    @Test func oneRunAtATime() async throws {
        let etl = makeETL()
        let gate = GatedInput(base: InMemoryETLInput(texts: valid))
        let (started, finished) = try await etl.start(gate, mode: .strict)
        #expect(started.status == .running)
        await #expect(throws: ETLError.runInProgress) { try await etl.run(InMemoryETLInput(texts: valid), mode: .strict) }
        await #expect(throws: ETLError.runInProgress) { try await etl.start(InMemoryETLInput(texts: valid), mode: .strict) }
        gate.open()
        #expect(try await finished.value.status == .success)
        #expect(try await etl.run(InMemoryETLInput(texts: valid), mode: .strict).status == .success)
    }
}

/// An input whose files do not start until ``open()`` is called.
final class GatedInput: ETLInput {
    let base: InMemoryETLInput
    private let gate: AsyncStream<Void>
    private let opener: AsyncStream<Void>.Continuation

    init(base: InMemoryETLInput) {
        self.base = base
        (gate, opener) = AsyncStream<Void>.makeStream()
    }

    var source: String { "gated" }
    func open() { opener.finish() }
    func size(of file: ETLFile) async throws -> Int? { try base.size(of: file) }
    func chunks(of file: ETLFile) async throws -> any AsyncSequence<[UInt8], any Error> {
        for await _ in gate {}
        return try base.chunks(of: file)
    }
}
