import AssayDomain
import AssayInMemory
import Foundation
import Testing

/// A clock that stands still.
struct FixedClock: WallClock {
    var date = Date(timeIntervalSince1970: 1_700_000_000)
    func now() -> Date { date }
}

func makeETL() -> FeatureETL<InMemoryFeatureStore> {
    FeatureETL(store: InMemoryFeatureStore(), clock: FixedClock())
}

private func day(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text + "T00:00:00Z"))
}

/// Every published feature row, following cursors.
func allFeatures(_ etl: FeatureETL<InMemoryFeatureStore>) async throws -> [UserFeatures] {
    var rows: [UserFeatures] = []
    var cursor: String?
    repeat {
        let page = try await etl.features(limit: 3, cursor: cursor)
        rows += page.items
        cursor = page.nextCursor
    } while cursor != nil
    return rows
}

@Suite("User features ETL")
struct FeatureETLTests {
    /// The expected table, worked out by hand from ../shared/reference-data/eikon:
    /// Alice ran experiments 1 (compounds 1;2, 10) and 2 (2;3, 15): 2 experiments, 25 total, 12.5 average, three
    /// compounds, compound 2 used twice. Everyone else ran one experiment, so all its compounds tie at one use
    /// and the lowest id is the top compound.
    @Test(arguments: [1, 7, 64 * 1024])
    func referenceExportGivesTheHandDerivedTable(chunkSize: Int) async throws {
        let etl = makeETL()
        let run = try await etl.run(try ReferenceData.eikon(chunkSize: chunkSize), mode: .strict)
        #expect(run.status == .success, "\(run.errors)")
        #expect(run.counts == ETLCounts(users: 10, compounds: 3, experiments: 11, rejected: 0, published: 10))
        #expect(run.averageExperimentsPerUser == 1.1)
        #expect(run.errors.isEmpty && run.errorCount == 0)
        #expect(run.progress == 1)

        let a = Compound(id: 1, name: "Compound A", structure: "C20H25N3O")
        let b = Compound(id: 2, name: "Compound B", structure: "C21H30O2")
        // (id, name, month, run time of their experiments, top compound, tied ids, distinct)
        let expected: [(Int64, String, String, [Double], Compound, Int, [Int64], Int)] = [
            (1, "Alice", "01", [10, 15], b, 2, [2], 3),
            (2, "Bob", "02", [20], a, 1, [1, 3], 2),
            (3, "Carol", "03", [25], b, 1, [2, 3], 2),
            (4, "Dave", "04", [30], a, 1, [1, 2, 3], 3),
            (5, "Eve", "05", [35], b, 1, [2, 3], 2),
            (6, "Frank", "06", [40], a, 1, [1, 3], 2),
            (7, "Grace", "07", [45], b, 1, [2, 3], 2),
            (8, "Heidi", "08", [50], a, 1, [1, 2], 2),
            (9, "Ivan", "09", [55], b, 1, [2, 3], 2),
            (10, "Judy", "10", [60], a, 1, [1, 3], 2),
        ]
        let rows = try await allFeatures(etl)
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            let (id, name, month, times, top, uses, tied, distinct) = want
            let total = times.reduce(0, +)
            #expect(
                row
                    == UserFeatures(
                        userID: id, name: name, email: name.lowercased() + "@example.com", signupDate: try day("2023-\(month)-01"),
                        experimentCount: times.count, totalRunTime: total, averageRunTime: total / Double(times.count),
                        distinctCompounds: distinct, topCompound: top, topCompoundUses: uses, tiedCompounds: tied))
        }
        #expect(try await etl.features(userID: 1).topCompound?.id == 2)
        await #expect(throws: ETLError.featuresNotFound(userID: 11)) { try await etl.features(userID: 11) }
    }

    @Test func usersWithoutExperimentsGetAnEmptyRow() async throws {
        let etl = makeETL()
        let input = InMemoryETLInput(texts: [
            .users: "user_id,name,email,signup_date\n1,Ann,ann@lab.org,2024-02-29T12:30:00+02:00\n2,Ben,ben@lab.org,2024-03-01",
            .compounds: "compound_id,compound_name,compound_structure\n7,X,H2O",
            .experiments: "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n1,2,7,1.5",
        ])
        let run = try await etl.run(input, mode: .strict)
        #expect(run.status == .success)
        #expect(run.averageExperimentsPerUser == 0.5)
        let ann = try await etl.features(userID: 1)
        #expect(ann.experimentCount == 0 && ann.totalRunTime == 0 && ann.averageRunTime == nil)
        #expect(ann.distinctCompounds == 0 && ann.topCompound == nil && ann.topCompoundUses == 0 && ann.tiedCompounds.isEmpty)
        #expect(ann.signupDate == Date(timeIntervalSince1970: 1_709_202_600))  // 10:30 UTC
    }

    @Test func sameInputSameOutput() async throws {
        let first = makeETL()
        let second = makeETL()
        _ = try await first.run(try ReferenceData.eikon(chunkSize: 5), mode: .strict)
        _ = try await second.run(try ReferenceData.eikon(), mode: .strict)
        _ = try await second.run(try ReferenceData.eikon(chunkSize: 3), mode: .strict)
        #expect(try await allFeatures(first) == allFeatures(second))
        #expect(try await second.runs(limit: nil, cursor: nil).items.map(\.id) == [2, 1])
    }
}
