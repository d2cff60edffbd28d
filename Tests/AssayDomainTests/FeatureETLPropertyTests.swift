import AssayDomain
import AssayInMemory
import Foundation
import Testing

/// A random export in the lab's shape, with the formatting variations real files have.
private struct RandomExport {
    var users: [(id: Int64, name: String)] = []
    var compounds: [Int64] = []
    var experiments: [(user: Int64, compounds: [Int64], runTime: Double)] = []
    var files: [ETLFile: String] = [:]

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let userCount = Int.random(in: 1...40, using: &random)
        let compoundCount = Int.random(in: 1...30, using: &random)
        // Ids are sparse and shuffled so that file order is not id order.
        users = (0..<userCount).map { (Int64($0 * 3 + 1), "User \($0)") }.shuffled(using: &random)
        compounds = Array(Set((0..<compoundCount).map { _ in Int64.random(in: 0...500, using: &random) })).shuffled(using: &random)
        for _ in 0..<Int.random(in: 0...400, using: &random) {
            let picked = compounds.shuffled(using: &random).prefix(Int.random(in: 1...min(4, compounds.count), using: &random))
            let runTime = Double(Int.random(in: 0...10_000, using: &random)) / 8
            experiments.append((users.randomElement(using: &random)?.id ?? 1, Array(picked), runTime))
        }
        let lineEnd = Bool.random(using: &random) ? "\r\n" : "\n"
        let pad = Bool.random(using: &random) ? ",\t" : ","
        func file(_ header: [String], _ rows: [[String]]) -> String {
            let lines = [header.joined(separator: pad)] + rows.map { $0.joined(separator: pad) }
            return (Bool.random(using: &random) ? "\u{FEFF}\(lineEnd)" : "") + lines.joined(separator: lineEnd)
                + (Bool.random(using: &random) ? lineEnd : "")
        }
        files[.users] = file(ETLFile.users.columns, users.map { ["\($0.id)", "\"\($0.name)\"", "u\($0.id)@lab.org", "2024-01-01"] })
        files[.compounds] = file(ETLFile.compounds.columns, compounds.map { ["\($0)", "C\($0)", "\"C\($0), \"\"s\"\"\""] })
        files[.experiments] = file(
            ETLFile.experiments.columns,
            experiments.enumerated().map {
                ["\($0.offset + 1)", "\($0.element.user)", $0.element.compounds.map(String.init).joined(separator: ";"), "\($0.element.runTime)"]
            })
    }

    /// The features recomputed the simplest way: all experiments in memory, grouped by user.
    func expected() -> [UserFeatures] {
        users.sorted { $0.id < $1.id }.map { user in
            let mine = experiments.filter { $0.user == user.id }
            var uses: [Int64: Int] = [:]
            for experiment in mine { for compound in experiment.compounds { uses[compound, default: 0] += 1 } }
            let most = uses.values.max() ?? 0
            let tied = uses.filter { $0.value == most }.keys.sorted()
            let total = mine.reduce(0) { $0 + $1.runTime }
            return UserFeatures(
                userID: user.id, name: user.name, email: "u\(user.id)@lab.org", signupDate: Date(timeIntervalSince1970: 1_704_067_200),
                experimentCount: mine.count, totalRunTime: total, averageRunTime: mine.isEmpty ? nil : total / Double(mine.count),
                distinctCompounds: uses.count, topCompound: tied.first.map { Compound(id: $0, name: "C\($0)", structure: "C\($0), \"s\"") },
                topCompoundUses: most, tiedCompounds: tied)
        }
    }
}

@Suite("User features ETL: properties")
struct FeatureETLPropertyTests {
    @Test(arguments: 1...40)
    func streamingDerivationEqualsRecomputation(seed: Int) async throws {
        let export = RandomExport(seed: UInt64(seed))
        var random = SplitMix64(seed: UInt64(seed), stream: 1)
        let etl = makeETL()
        let input = InMemoryETLInput(texts: export.files, chunkSize: Int.random(in: 1...300, using: &random))
        let run = try await etl.run(input, mode: .strict)
        #expect(run.status == .success, "\(run.errors)")
        #expect(run.counts.experiments == export.experiments.count)
        #expect(run.averageExperimentsPerUser == Double(export.experiments.count) / Double(export.users.count))
        #expect(try await allFeatures(etl) == export.expected())
    }
}
