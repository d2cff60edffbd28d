import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The collection use cases: create, list, delete, and GMT files in and out, over a ``CollectionRepository``.
public struct CollectionCatalog<Repository: CollectionRepository>: Sendable {
    /// Cursor kind of collection lists.
    public static var cursorKind: String { "collections" }
    /// Sets written to the repository per batch during an import.
    public static var importBatchSize: Int { 1_000 }

    /// The storage port.
    public let repository: Repository
    /// Source of timestamps.
    public let clock: any WallClock

    /// Creates the catalog over a repository and a clock.
    public init(repository: Repository, clock: any WallClock = SystemClock()) {
        self.repository = repository
        self.clock = clock
    }

    /// Validates and stores a new, empty collection of one species' gene sets, owned by the viewer and `visibility`
    /// (by default private); its name must be new among the viewer's collections.
    public func create(
        name: String, description: String = "", species: Species = .human, visibility: Visibility = .private, as viewer: Viewer = .system
    ) async throws -> GenesetCollection {
        var draft = try CollectionDraft(name: name, description: description, species: species)
        draft.ownership = Ownership(owner: viewer.user, visibility: visibility)
        return try await repository.createCollection(draft, at: clock.now())
    }

    /// The collection with this id; throws ``CollectionError/notFound(_:)`` when missing or when the viewer may not see it.
    public func collection(id: Int64, as viewer: Viewer = .system) async throws -> GenesetCollection {
        guard let collection = try await repository.collection(id: id), viewer.canSee(collection.ownership) else {
            throw CollectionError.notFound(id)
        }
        return collection
    }

    /// The collection of `owner` (by default the viewer) with this name ignoring case; throws
    /// ``CollectionError/notFoundNamed(_:)`` when missing or when the viewer may not see it.
    public func collection(named name: String, owner: String? = nil, as viewer: Viewer = .system) async throws -> GenesetCollection {
        guard let collection = try await repository.collection(named: name.trimmingWhitespace(), owner: owner ?? viewer.user),
            viewer.canSee(collection.ownership)
        else {
            throw CollectionError.notFoundNamed(name)
        }
        return collection
    }

    /// The viewer's collection of this name, created empty for `species` with `visibility` when there is none (what
    /// `assay import gmt` does); throws ``CollectionError/speciesMismatch(collection:collectionSpecies:species:)`` when it
    /// holds another species.
    public func collection(
        namedOrCreated name: String, species: Species = .human, visibility: Visibility = .private, as viewer: Viewer = .system
    ) async throws -> GenesetCollection {
        let found: GenesetCollection
        if let existing = try await repository.collection(named: name.trimmingWhitespace(), owner: viewer.user) {
            found = existing
        } else {
            do {
                return try await create(name: name, species: species, visibility: visibility, as: viewer)
            } catch CollectionError.nameTaken {
                // Created by someone else meanwhile.
                found = try await collection(named: name, as: viewer)
            }
        }
        guard found.species == species else {
            throw CollectionError.speciesMismatch(collection: found.id, collectionSpecies: found.species, species: species)
        }
        return found
    }

    /// One page of the collections the viewer may see by ascending id, with their counts, optionally only those of
    /// `owner` (a user name) or of one visibility.
    public func list(
        limit: Int?, cursor: String?, owner: String? = nil, visibility: Visibility? = nil, as viewer: Viewer = .system
    ) async throws -> Page<GenesetCollection> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.cursorKind)
        let scope = try VisibilityScope.requested(viewer: viewer, owner: owner, visibility: visibility)
        let fetched = try await repository.collections(after: page.afterID, limit: page.limit + 1, in: scope)
        return Page(fetched: fetched, limit: page.limit, kind: Self.cursorKind) { $0.id }
    }

    /// Deletes a collection with its sets; throws ``CollectionError/notFound(_:)`` when missing or not visible to the
    /// viewer, ``NotOwnerError`` when the viewer sees it but may not change it.
    public func delete(id: Int64, as viewer: Viewer = .system) async throws {
        _ = try await changeable(id, by: viewer)
        guard try await repository.deleteCollection(id: id) else { throw CollectionError.notFound(id) }
    }

    /// Makes a collection and every set in it `visibility`, with ``delete(id:as:)``'s rules on who may.
    public func setVisibility(of id: Int64, to visibility: Visibility, as viewer: Viewer = .system) async throws -> GenesetCollection {
        _ = try await changeable(id, by: viewer)
        guard let collection = try await repository.setVisibility(of: id, to: visibility) else { throw CollectionError.notFound(id) }
        return collection
    }

    /// The collection, when the viewer may change it.
    private func changeable(_ id: Int64, by viewer: Viewer) async throws -> GenesetCollection {
        let collection = try await collection(id: id, as: viewer)
        guard viewer.canChange(collection.ownership) else {
            throw NotOwnerError(kind: "collection", id: id, owner: collection.owner)
        }
        return collection
    }

    /// Reads a GMT file from `chunks` as they arrive and adds its sets to the collection, atomically.
    ///
    /// Lines are checked by ``GMTReader`` (names, gene names, repeated names). Strict: any bad line refuses the file
    /// with ``CollectionError/importRefused(problems:total:)`` and nothing is stored, whatever had been written.
    /// Lenient: bad lines are skipped and listed in the report. The file is never held whole: sets go to the
    /// repository in batches of ``importBatchSize`` as they are read. The sets get the collection's owner and
    /// visibility; only they and admins may import (``delete(id:as:)``'s rules).
    public func importGMT(
        into collectionID: Int64, from chunks: some AsyncSequence<[UInt8], any Error> & Sendable, mode: GMTImportMode,
        as viewer: Viewer = .system
    ) async throws -> GMTImportReport {
        _ = try await changeable(collectionID, by: viewer)
        return try await importGMT(into: collectionID, from: chunks, mode: mode, transform: nil)
    }

    /// ``importGMT(into:from:mode:)`` with every set's genes resolved to approved symbols against the collection's
    /// species first (``GeneResolver/rename(_:species:into:)``); the report's ``GMTImportReport/resolution`` says what
    /// changed. Throws ``GeneReferenceError/notLoaded(_:)`` when the species has no reference; nothing is stored then.
    public func importGMT<Store: GeneReferenceStore>(
        into collectionID: Int64, from chunks: some AsyncSequence<[UInt8], any Error> & Sendable, mode: GMTImportMode,
        resolvingWith resolver: GeneResolver<Store>, as viewer: Viewer = .system
    ) async throws -> GMTImportReport {
        let species = try await changeable(collectionID, by: viewer).species
        let summary = Mutex(GMTRenamingSummary(species: species))
        var report = try await importGMT(into: collectionID, from: chunks, mode: mode) { batch in
            // Batches come one at a time, so the summary is read and written back without a race.
            var running = summary.withLock { $0 }
            let renamed = try await resolver.rename(batch, species: species, into: &running)
            summary.withLock { [running] in $0 = running }
            return renamed
        }
        report.resolution = summary.withLock { $0 }
        report.memberships -= report.resolution?.merged ?? 0
        return report
    }

    private func importGMT(
        into collectionID: Int64, from chunks: some AsyncSequence<[UInt8], any Error> & Sendable, mode: GMTImportMode,
        transform: (@Sendable ([GMTRecord]) async throws -> [GMTRecord])?
    ) async throws -> GMTImportReport {
        let write: @Sendable (_ sink: @escaping @Sendable ([GMTRecord]) async throws -> Void, _ batch: [GMTRecord]) async throws -> Void = {
            sink, batch in
            if let transform { try await sink(try await transform(batch)) } else { try await sink(batch) }
        }
        let tally = Mutex(ImportTally())
        let limit = GMTImportReport.maximumProblems
        let batchSize = Self.importBatchSize
        try await repository.importSets(into: collectionID, at: clock.now()) { sink in
            var reader = GMTReader()
            var batch: [GMTRecord] = []
            let take: (Result<GMTRecord, GMTProblem>) -> Void = { result in
                tally.withLock { tally in
                    switch result {
                    case .success(let record):
                        if !record.duplicateGenes.isEmpty, tally.duplicates.count < limit {
                            tally.duplicates.append(
                                GMTProblem(
                                    line: record.line, setName: record.name,
                                    reason: "repeated genes kept once: " + record.duplicateGenes.joined(separator: ", ")))
                        }
                        // Once a strict import is refused, the rest is only read for its problems.
                        if mode == .lenient || tally.problemCount == 0 {
                            batch.append(record)
                            tally.imported += 1
                            tally.memberships += record.genes.count
                        }
                    case .failure(let problem):
                        tally.problemCount += 1
                        if tally.problems.count < limit { tally.problems.append(problem) }
                    }
                }
            }
            for try await chunk in chunks {
                reader.feed(chunk, take)
                if batch.count >= batchSize {
                    if mode == .strict, tally.withLock({ $0.problemCount > 0 }) {
                        batch.removeAll()
                    } else {
                        try await write(sink, batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            reader.finish(take)
            if tally.withLock({ $0.imported == 0 && $0.problemCount == 0 }) {
                tally.withLock { $0.problemCount = 1 }
                throw CollectionError.importRefused(
                    problems: [GMTProblem(line: 1, setName: nil, reason: "the file holds no set: expected name<TAB>description<TAB>gene...")],
                    total: 1)
            }
            let refused: (problems: [GMTProblem], total: Int)? = tally.withLock { tally in
                mode == .strict && tally.problemCount > 0 ? (tally.problems, tally.problemCount) : nil
            }
            if let refused { throw CollectionError.importRefused(problems: refused.problems, total: refused.total) }
            if !batch.isEmpty { try await write(sink, batch) }
        }
        return tally.withLock { tally in
            GMTImportReport(
                collectionID: collectionID, imported: tally.imported, memberships: tally.memberships,
                skipped: mode == .lenient ? tally.problemCount : 0, problems: tally.problems, duplicateGenes: tally.duplicates)
        }
    }

    /// Writes the collection as a GMT file, one line per set in ascending id order, in pieces as they are read;
    /// throws ``CollectionError/notFound(_:)`` when missing or when the viewer may not see it. Importing the output and
    /// exporting again gives the same bytes.
    ///
    /// `write` runs on the caller's isolation (`isolation`, by default the caller's actor), one piece at a time, so it
    /// needs not be `@Sendable` and may collect the pieces into a local variable. The next piece is read only after
    /// `write` returned, so a slow writer holds back the read instead of filling memory. An error thrown by `write`
    /// stops the export and is rethrown.
    public func exportGMT(
        of collectionID: Int64, as viewer: Viewer = .system, isolation: isolated (any Actor)? = #isolation,
        _ write: ([UInt8]) async throws -> Void
    ) async throws {
        // Every set of a collection has the collection's visibility, so a viewer who sees it sees all of its sets.
        _ = try await collection(id: collectionID, as: viewer)
        // The port calls its @Sendable callback in the adapter's task; the pieces cross to the caller's isolation here.
        let pieces = Handoff<[UInt8]>()
        async let exported: Void = {
            defer { pieces.close() }
            try await repository.exportGMTLines(of: collectionID) { bytes in try await pieces.send(bytes) }
        }()
        var failure: (any Error)?
        while let piece = await pieces.next() {
            if let failure {
                piece.reject(failure)
                continue
            }
            do {
                try await write(piece.element)
                piece.accept()
            } catch {
                failure = error
                piece.reject(error)
            }
        }
        do {
            try await exported
        } catch {
            throw failure ?? error
        }
        if let failure { throw failure }
    }
}

/// Running counts of an import, shared between the reading task and the caller.
private struct ImportTally: Sendable {
    var imported = 0
    var memberships = 0
    var problemCount = 0
    var problems: [GMTProblem] = []
    var duplicates: [GMTProblem] = []
}
