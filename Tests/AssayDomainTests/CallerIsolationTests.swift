// The closures the use cases take run on the caller's isolation (issue 22): from the main actor or an actor they change
// local variables and the actor's state with no @Sendable boxes. A regression stops these tests from compiling.
import AssayDomain
import AssayInMemory
import Testing

@Suite("Closures run on the caller's isolation", .timeLimit(.minutes(1)))
struct CallerIsolationTests {
    @MainActor @Test func theMainActorKeepsWhatTheClosuresHandIt() async throws {
        var reported: [Int] = []
        let data = try SyntheticGenesets(sets: 25, genesPerSet: 2, seed: 1)
        try await GenesetCatalog(repository: InMemoryGenesetRepository()).populate(data, batchSize: 10) { reported.append($0) }
        #expect(reported == [10, 20, 25])

        var progress: [Double] = []
        let etl = FeatureETL(store: InMemoryFeatureStore())
        let run = try await etl.run(InMemoryETLInput(texts: etlFiles, chunkSize: 8), mode: .strict) { progress.append($0.progress) }
        #expect(run.status == .success)
        #expect(progress.last == 1 && progress == progress.sorted())

        let (catalog, id) = try await collection(sets: 2_500)
        var pieces = 0
        var bytes: [UInt8] = []
        try await catalog.exportGMT(of: id) { piece in
            pieces += 1
            bytes += piece
        }
        #expect(pieces == 3)
        #expect(bytes == gmtFile(sets: 2_500))
    }

    @Test func anActorKeepsWhatTheClosuresHandIt() async throws {
        let log = Log()
        let totals = try await log.populate()
        #expect(totals == [4, 7])
    }

    @Test func anErrorFromTheWriterStopsTheExportAndIsRethrown() async throws {
        struct Full: Error {}
        let (catalog, id) = try await collection(sets: 2_500)
        var calls = 0
        do {
            try await catalog.exportGMT(of: id) { _ in
                calls += 1
                throw Full()
            }
            Issue.record("the export ended without the writer's error")
        } catch is Full {
            #expect(calls == 1)
        }
    }

    @Test func aCancelledExportEnds() async throws {
        let (catalog, id) = try await collection(sets: 2_500)
        let export = Task {
            try await catalog.exportGMT(of: id) { _ in try await Task.sleep(for: .seconds(600)) }
        }
        try await Task.sleep(for: .milliseconds(20))
        export.cancel()
        await #expect(throws: CancellationError.self) { try await export.value }
    }
}

/// State of an actor changed from inside the closures of its calls.
private actor Log {
    var totals: [Int] = []

    func populate() async throws -> [Int] {
        let data = try SyntheticGenesets(sets: 7, genesPerSet: 2, seed: 2)
        try await GenesetCatalog(repository: InMemoryGenesetRepository()).populate(data, batchSize: 4) { totals.append($0) }
        return totals
    }
}

private let etlFiles: [ETLFile: String] = [
    .users: "user_id,name,email,signup_date\n1,Ann,ann@lab.org,2024-01-01\n2,Ben,ben@lab.org,2024-01-02\n",
    .compounds: "compound_id,compound_name,compound_structure\n1,A,H2O\n2,B,CO2\n",
    .experiments: "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n1,1,1;2,10\n2,1,2,30\n",
]

/// A GMT file of `sets` lines of two genes each.
private func gmtFile(sets: Int) -> [UInt8] {
    Array((1...sets).map { "SET_\($0)\t\tG\($0)\tSHARED\n" }.joined().utf8)
}

/// A collection holding `gmtFile(sets:)`, imported in one chunk.
private func collection(sets: Int) async throws -> (CollectionCatalog<InMemoryGenesetRepository>, Int64) {
    let catalog = CollectionCatalog(repository: InMemoryGenesetRepository())
    let collection = try await catalog.create(name: "Isolation")
    _ = try await catalog.importGMT(into: collection.id, from: OneChunk(bytes: gmtFile(sets: sets)), mode: .strict)
    return (catalog, collection.id)
}

/// The whole file as one chunk.
private struct OneChunk: AsyncSequence, Sendable {
    let bytes: [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async throws -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
