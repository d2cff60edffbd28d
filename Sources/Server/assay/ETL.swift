import ArgumentParser
import AssayDomain
import AssayFiles
import AssayServer
import Foundation
import Synchronization

/// `assay etl`: the user-features ETL from the command line, the same use case as `POST /etl`.
struct ETL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl",
        abstract: "Turn a lab export (users.csv, user_experiments.csv, compounds.csv) into one feature row per user.",
        discussion: """
            With ASSAY_POSTGRES_URL (or --postgres-url) the features are published to Postgres atomically, after \
            applying pending migrations; readers see the old set until the new one is complete. Without it the run \
            happens in memory: use --json to print the features. Exits 1 when the run fails (bad rows in strict mode, \
            unusable files), 2 when another run is in progress.
            """
    )

    @Option(help: "Directory holding the three CSV files.")
    var data: String

    @Flag(help: "Skip and report bad rows instead of failing the run.")
    var lenient = false

    @Flag(help: "Print the published features as JSON lines on standard output.")
    var json = false

    @Option(help: "Postgres URL (ASSAY_POSTGRES_URL); without one the run happens in memory.")
    var postgresURL: String?

    func run() async throws {
        let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
        let input = DirectoryETLInput(directory: data)
        let mode: ETLMode = lenient ? .lenient : .strict
        let printFeatures = json
        let run: ETLRun
        do {
            run = try await CommandSupport.withAdapters(configuration) { adapters in
                try await Self.perform(adapters.features, input: input, mode: mode, printFeatures: printFeatures)
            }
        } catch ETLError.runInProgress {
            FileHandle.standardError.write(Data("another ETL run is in progress; one runs at a time\n".utf8))
            throw ExitCode(2)
        }
        Self.report(run)
        if run.status != .success { throw ExitCode(1) }
    }

    /// Runs the ETL over `store` and prints the features when asked to and the run succeeded.
    private static func perform(_ store: some FeatureStore, input: DirectoryETLInput, mode: ETLMode, printFeatures: Bool) async throws -> ETLRun {
        let etl = FeatureETL(store: store)
        let run = try await execute(etl, input: input, mode: mode)
        if printFeatures, run.status == .success { try await printAll(etl) }
        return run
    }

    private static func execute(_ etl: FeatureETL<some FeatureStore>, input: DirectoryETLInput, mode: ETLMode) async throws -> ETLRun {
        var total = 0
        for file in ETLFile.allCases { total += (try? await input.size(of: file)) ?? 0 }
        let megabytes = max(1, total / 1_048_576)
        let bar = Mutex(ProgressBar(total: megabytes, label: "MiB"))
        let run = try await etl.run(input, mode: mode) { run in
            bar.withLock { $0.update(Int(run.progress * Double(megabytes))) }
        }
        bar.withLock { $0.update(megabytes) }
        return run
    }

    private static func printAll(_ etl: FeatureETL<some FeatureStore>) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var cursor: String?
        repeat {
            let page = try await etl.features(limit: PageLimits.maximumLimit, cursor: cursor)
            for row in page.items { print(String(decoding: try encoder.encode(FeaturesResponse(row)), as: UTF8.self)) }
            cursor = page.nextCursor
        } while cursor != nil
    }

    private static func report(_ run: ETLRun) {
        var lines = ["run \(run.id) (\(run.mode.rawValue)): \(run.status.rawValue)"]
        if let failure = run.failure { lines.append("  \(failure)") }
        let counts = run.counts
        lines.append(
            "  read \(counts.users) users, \(counts.compounds) compounds, \(counts.experiments) experiments; rejected \(counts.rejected); published \(counts.published) feature rows"
        )
        if let average = run.averageExperimentsPerUser { lines.append("  average experiments per user: \(String(format: "%.3f", average))") }
        if let read = run.readMilliseconds {
            lines.append("  read and derived in \(read) ms" + (run.publishMilliseconds.map { ", published in \($0) ms" } ?? ""))
        }
        for issue in run.errors.prefix(20) {
            let place = [issue.file, issue.line.map { "line \($0)" }, issue.column].compactMap { $0 }.joined(separator: ", ")
            lines.append("  \(place): \(issue.reason)")
        }
        if run.errorCount > 20 { lines.append("  … and \(run.errorCount - 20) more problems") }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
