import ArgumentParser
import AssayDomain
import AssayFiles
import AssayServer
import Foundation

/// `assay import`: bring reference files into the store.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import files into the store (ASSAY_POSTGRES_URL; without it, into a throw-away in-memory store).",
        subcommands: [ImportGMT.self, GeneReference.self]
    )
}

/// `assay export`: write store contents as files.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export store contents as files.", subcommands: [ExportGMT.self])
}

/// `assay import gmt FILE --collection NAME [--species human|mouse] [--resolve] [--lenient]`.
struct ImportGMT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmt",
        abstract: "Import a GMT file into a collection (created when missing), all its sets or none.",
        discussion: """
            One set per line: name<TAB>description<TAB>gene<TAB>gene... Strict by default: any bad line refuses the file \
            and nothing is imported (exit 1, every problem printed with its line). --lenient skips bad lines and reports them. \
            --resolve stores every gene under its approved symbol in the collection's species' gene reference (load it \
            first with `assay import gene-reference`); ambiguous and unknown names are stored as given and counted.
            """
    )

    @Argument(help: "The GMT file.")
    var file: String

    @Option(help: "The collection's name; created when there is none.")
    var collection: String

    @Flag(help: "Skip and report bad lines instead of refusing the file.")
    var lenient = false

    @Option(help: "The species of a collection created here: human (9606) or mouse (10090); an existing one must match.")
    var species: String = "human"

    @Flag(help: "Store genes under their approved symbols (aliases and previous symbols resolved).")
    var resolve = false

    @Option(help: "The user who owns the collection (names are unique per owner).")
    var owner: String = UserName.admin

    @Option(help: "Visibility of a collection created here: public (every reader) or private (its owner and admins).")
    var visibility: String = Visibility.public.rawValue

    @Option(help: "Postgres URL (ASSAY_POSTGRES_URL); without one the sets go to a throw-away in-memory store.")
    var postgresURL: String?

    func run() async throws {
        let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
        guard let chunks = FileChunks(path: file) else { throw ValidationError("cannot open \(file)") }
        let (name, mode, resolve) = (collection, lenient ? GMTImportMode.lenient : .strict, resolve)
        guard let species = Species(parsing: species) else {
            throw ValidationError("--species must be one of \(Species.acceptedSpellings), got '\(self.species)'")
        }
        let viewer = try CommandSupport.viewer(owner: owner)
        guard let visibility = Visibility(rawValue: visibility) else { throw ValidationError("--visibility must be public or private") }
        let started = ContinuousClock.now
        do {
            let (report, stored) = try await CommandSupport.withAdapters(configuration, operationTimeout: .seconds(300)) { adapters in
                try await Self.importFile(
                    chunks, into: name, species: species, visibility: visibility, as: viewer, mode: mode, resolve: resolve,
                    repository: adapters.collections, reference: adapters.geneReference)
            }
            let seconds = (ContinuousClock.now - started).seconds
            print(
                "imported \(report.imported) sets (\(report.memberships) memberships) into collection \(stored.id) '\(stored.name)' "
                    + "in \(String(format: "%.2f", seconds)) s; it holds \(stored.setCount) sets, \(stored.geneCount) genes")
            if let resolution = report.resolution {
                print(
                    "resolved against the \(resolution.species.name) reference: \(resolution.changed) names changed, "
                        + "\(resolution.merged) merged, \(resolution.ambiguous) ambiguous, \(resolution.notFound) not found (kept as given)")
            }
            if report.skipped > 0 { print("skipped \(report.skipped) bad lines:") }
            for problem in report.problems { print("  line \(problem.line)\(problem.setName.map { " (\($0))" } ?? ""): \(problem.reason)") }
        } catch CollectionError.importRefused(let problems, let total) {
            var lines = ["refused: \(total) bad line\(total == 1 ? "" : "s"), nothing imported (--lenient skips them)"]
            lines += problems.map { "  line \($0.line)\($0.setName.map { " (\($0))" } ?? ""): \($0.reason)" }
            if total > problems.count { lines.append("  … and \(total - problems.count) more") }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
    }

    private static func importFile(
        _ chunks: FileChunks, into name: String, species: Species, visibility: Visibility, as viewer: Viewer, mode: GMTImportMode,
        resolve: Bool, repository: some CollectionRepository, reference: some GeneReferenceStore
    ) async throws -> (GMTImportReport, GenesetCollection) {
        let catalog = CollectionCatalog(repository: repository)
        let collection = try await catalog.collection(namedOrCreated: name, species: species, visibility: visibility, as: viewer)
        let report =
            resolve
            ? try await catalog.importGMT(into: collection.id, from: chunks, mode: mode, resolvingWith: GeneResolver(store: reference))
            : try await catalog.importGMT(into: collection.id, from: chunks, mode: mode)
        return (report, try await catalog.collection(id: collection.id))
    }
}

/// `assay export gmt --collection NAME [--out FILE]`.
struct ExportGMT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gmt", abstract: "Write a collection as a GMT file (standard output by default).")

    @Option(help: "The collection's name.")
    var collection: String

    @Option(help: "The file to write; standard output when omitted.")
    var out: String?

    @Option(help: "The user who owns the collection (names are unique per owner).")
    var owner: String = UserName.admin

    @Option(help: "Postgres URL (ASSAY_POSTGRES_URL).")
    var postgresURL: String?

    func run() async throws {
        let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
        let handle: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil), let file = FileHandle(forWritingAtPath: out) else {
                throw ValidationError("cannot write \(out)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        let (name, owner) = (collection, try CommandSupport.viewer(owner: owner).user)
        try await CommandSupport.withAdapters(configuration, operationTimeout: .seconds(300)) { adapters in
            try await Self.export(name, owner: owner, from: adapters.collections, to: handle)
        }
        if out != nil { try handle.close() }
    }

    private static func export(_ name: String, owner: String, from repository: some CollectionRepository, to handle: FileHandle) async throws {
        let catalog = CollectionCatalog(repository: repository)
        let collection = try await catalog.collection(named: name, owner: owner)
        try await catalog.exportGMT(of: collection.id) { bytes in try handle.write(contentsOf: bytes) }
    }
}

/// `assay enrich --genes FILE [--collection NAME]`: the analysis of `POST /enrichment`, printed as a table.
struct Enrich: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Over-representation analysis of a gene list (one gene per line or whitespace-separated) against the catalog.",
        discussion: "Conventions of gseapy's offline enrich: docs/enrichment.md. Prints a tab-separated table, best first."
    )

    @Option(help: "File with the gene list.")
    var genes: String

    @Option(help: "Test this collection's sets only (by name).")
    var collection: String?

    @Option(help: "Background: a file of measured genes, or a number (the population size).")
    var background: String?

    @Option(help: "Smallest set tested, counted within the background.")
    var minSize: Int = 1

    @Option(help: "Largest set tested, counted within the background.")
    var maxSize: Int?

    @Option(help: "Rows printed.")
    var limit: Int = EnrichmentRules.defaultLimit

    @Option(help: "Postgres URL (ASSAY_POSTGRES_URL); without one the in-memory store is empty unless --gmt is given.")
    var postgresURL: String?

    @Option(help: "Import this GMT file first (into the collection named by --collection, or 'cli'); for a store in memory.")
    var gmt: String?

    func run() async throws {
        let configuration = try CommandSupport.configuration(.init(postgresURL: postgresURL))
        let list = try Self.words(in: genes)
        var background = EnrichmentQuery.Background.sets
        if let raw = self.background { background = try Int(raw).map { .size($0) } ?? .genes(Self.words(in: raw)) }
        let query: EnrichmentQuery
        do {
            query = try EnrichmentQuery(genes: list, background: background, minimumSetSize: minSize, maximumSetSize: maxSize, limit: limit)
        } catch {
            throw ValidationError(error.errors.map { "\($0.field) \($0.reason)" }.joined(separator: "; "))
        }
        let (collectionName, gmt) = (collection, self.gmt)
        let result = try await CommandSupport.withAdapters(configuration, operationTimeout: .seconds(300)) { adapters in
            try await Self.analyse(query, collection: collectionName, gmt: gmt, adapters: adapters)
        }
        print("N=\(result.backgroundSize)\tk=\(result.listSize)\ttested=\(result.testedSetCount)\tunmapped=\(result.unmapped.count)")
        print(
            ["set_id", "title", "set_size", "overlap", "p_value", "adjusted_p_value", "odds_ratio", "combined_score", "genes"].joined(separator: "\t")
        )
        for term in result.terms {
            print(
                [
                    "\(term.id)", term.title, "\(term.setSize)", "\(term.overlap)", "\(term.p)", "\(term.adjustedP)", "\(term.oddsRatio)",
                    "\(term.combinedScore)", term.overlapGenes.joined(separator: ","),
                ].joined(separator: "\t"))
        }
        if !result.unmapped.isEmpty { FileHandle.standardError.write(Data("unmapped: \(result.unmapped.joined(separator: " "))\n".utf8)) }
    }

    private static func analyse(_ query: EnrichmentQuery, collection: String?, gmt: String?, adapters: Adapters) async throws -> EnrichmentResult {
        var scope: Int64?
        if let gmt {
            guard let chunks = FileChunks(path: gmt) else { throw ValidationError("cannot open \(gmt)") }
            let catalog = CollectionCatalog(repository: AnyCollectionRepository(adapters.collections))
            let target = try await catalog.collection(namedOrCreated: collection ?? "cli")
            _ = try await catalog.importGMT(into: target.id, from: chunks, mode: .strict)
            scope = target.id
        } else if let collection {
            scope = try await CollectionCatalog(repository: AnyCollectionRepository(adapters.collections)).collection(named: collection).id
        }
        return try await run(query, scope: scope, source: adapters.enrichment)
    }

    private static func run(_ query: EnrichmentQuery, scope: Int64?, source: some EnrichmentSource) async throws -> EnrichmentResult {
        try await EnrichmentService(source: source).analyse(query, collection: scope)
    }

    /// Gene names in a file: one per line or separated by white space or commas.
    static func words(in path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
