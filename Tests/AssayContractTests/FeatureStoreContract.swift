import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Testing

/// Lends a fresh, empty feature store of one adapter to a test.
struct FeatureStoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (any FeatureStore) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static var all: [FeatureStoreFactory] {
        let inMemory = FeatureStoreFactory(name: "in-memory") { body in try await body(InMemoryFeatureStore()) }
        let postgres = FeatureStoreFactory(name: "postgres") { body in
            try await TestDatabase.withFreshSchema { client, logger in
                try await body(PostgresFeatureStore(database: PostgresGateway(client: client, logger: logger)))
            }
        }
        return TestDatabase.url == nil ? [inMemory] : [inMemory, postgres]
    }
}

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

private func features(_ ids: [Int64], tag: String = "") -> [UserFeatures] {
    ids.map { id in
        let used = id % 3 != 0
        return UserFeatures(
            userID: id, name: "User \(id)\(tag)", email: "u\(id)@lab.org", signupDate: t0.addingTimeInterval(Double(id) * 86_400),
            experimentCount: used ? Int(id) : 0, totalRunTime: used ? Double(id) * 1.25 + 0.1 : 0,
            averageRunTime: used ? 1.25 + 0.1 / Double(id) : nil, distinctCompounds: used ? 2 : 0,
            topCompound: used ? Compound(id: id * 10, name: "C\(id)", structure: "C\(id)H") : nil, topCompoundUses: used ? 3 : 0,
            tiedCompounds: used ? [id * 10, id * 10 + 1] : [])
    }
}

/// Finishes a run as a success, ready to publish.
private func succeeded(_ run: ETLRun, published: Int) -> ETLRun {
    var run = run
    run.status = .success
    run.progress = 1
    run.counts = ETLCounts(users: published, compounds: 2, experiments: 40, rejected: 0, published: published)
    run.averageExperimentsPerUser = 40 / Double(published)
    run.finishedAt = t0.addingTimeInterval(2)
    run.readMilliseconds = 12
    return run
}

@Suite("FeatureStore contract")
struct FeatureStoreContract {
    @Test(arguments: FeatureStoreFactory.all)
    func publishThenReadInUserIdOrder(factory: FeatureStoreFactory) async throws {
        try await factory.use { store in
            #expect(try await store.features(after: nil, limit: 10).isEmpty)
            #expect(try await store.features(userID: 1) == nil)
            let rows = features([1, 2, 3, 7, 20])
            let run = try await store.createRun(mode: .strict, source: "memory", at: t0)
            try await store.publish(rows, run: succeeded(run, published: rows.count))
            #expect(try await store.features(after: nil, limit: 10) == rows)
            #expect(try await store.features(after: 2, limit: 2) == Array(rows[2...3]))
            #expect(try await store.features(after: 20, limit: 2).isEmpty)
            #expect(try await store.features(userID: 7) == rows[3])
            #expect(try await store.features(userID: 3)?.topCompound == nil)
            #expect(try await store.features(userID: 4) == nil)
        }
    }

    @Test(arguments: FeatureStoreFactory.all)
    func publishingReplacesTheWholeSet(factory: FeatureStoreFactory) async throws {
        try await factory.use { store in
            let first = try await store.createRun(mode: .strict, source: "a", at: t0)
            try await store.publish(features([1, 2, 3]), run: succeeded(first, published: 3))
            let second = try await store.createRun(mode: .lenient, source: "b", at: t0)
            let next = features([2, 5], tag: " v2")
            try await store.publish(next, run: succeeded(second, published: 2))
            #expect(try await store.features(after: nil, limit: 10) == next)
            #expect(try await store.features(userID: 1) == nil)
            #expect(try await store.run(id: first.id)?.status == .success)
            #expect(try await store.run(id: second.id) == succeeded(second, published: 2))
        }
    }

    @Test(arguments: FeatureStoreFactory.all)
    func runsRoundTripAndListNewestFirst(factory: FeatureStoreFactory) async throws {
        try await factory.use { store in
            var ids: [Int64] = []
            for index in 0..<4 { ids.append(try await store.createRun(mode: .strict, source: "run \(index)", at: t0).id) }
            #expect(ids == ids.sorted() && Set(ids).count == 4)
            var failed = try #require(try await store.run(id: ids[1]))
            #expect(failed.status == .running && failed.source == "run 1" && failed.startedAt == t0 && failed.finishedAt == nil)
            failed.status = .failed
            failed.progress = 0.5
            failed.counts = ETLCounts(users: 3, compounds: 2, experiments: 9, rejected: 2, published: 0)
            failed.report(ETLIssue(file: "users.csv", line: 4, column: "email", reason: "'x' is not an e-mail address"))
            failed.report(ETLIssue(file: "users.csv", line: nil, column: nil, reason: "whole file, with \"quotes\"\tand tabs"))
            failed.failure = "2 bad rows in strict mode; nothing was published"
            failed.finishedAt = t0.addingTimeInterval(1)
            failed.readMilliseconds = 7
            try await store.updateRun(failed)
            #expect(try await store.run(id: ids[1]) == failed)
            #expect(try await store.runs(before: nil, limit: 10).map(\.id) == ids.reversed())
            #expect(try await store.runs(before: ids[2], limit: 1).map(\.id) == [ids[1]])
            #expect(try await store.run(id: ids[3] + 100) == nil)
        }
    }

    @Test(arguments: FeatureStoreFactory.all)
    func textSurvivesPublishingAsWritten(factory: FeatureStoreFactory) async throws {
        try await factory.use { store in
            var row = features([1])[0]
            row.name = "Zoë \\ back\tslash\nnew \"line\" ✓"
            row.topCompound = Compound(id: 5, name: "N,N-dimethyl\\tryptamine", structure: "C12\tH16\r\nN2")
            row.totalRunTime = 0.1 + 0.2
            row.averageRunTime = 1e-7
            let run = try await store.createRun(mode: .strict, source: "memory", at: t0)
            try await store.publish([row], run: succeeded(run, published: 1))
            #expect(try await store.features(userID: 1) == row)
        }
    }

    @Test(arguments: FeatureStoreFactory.all)
    func oneRunSlotAndInterruptedRunsAreMarkedFailed(factory: FeatureStoreFactory) async throws {
        try await factory.use { store in
            struct Crash: Error {}
            let abandoned = try await store.withRunSlot {
                await #expect(throws: ETLError.runInProgress) { try await store.withRunSlot { 1 } }
                return try await store.createRun(mode: .strict, source: "memory", at: t0)
            }
            // The run's owner went away without finishing it: the next holder of the slot marks it failed.
            #expect(try await store.run(id: abandoned.id)?.status == .running)
            await #expect(throws: Crash.self) { try await store.withRunSlot { throw Crash() } }
            let marked = try #require(try await store.run(id: abandoned.id))
            #expect(marked.status == .failed && marked.failure?.hasPrefix("interrupted") == true)
            #expect(try await store.withRunSlot { 2 } == 2)
        }
    }
}
