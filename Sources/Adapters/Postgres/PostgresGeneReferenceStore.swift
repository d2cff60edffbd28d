public import AssayDomain
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// ``GeneReferenceStore`` on Postgres (tables `gene_reference_names` and `gene_reference_summaries`; migration 7).
///
/// A replacement is one transaction on one connection: the records are checked as they stream in (the same checks as
/// ``GeneReferenceIndex/insert(_:)``, in the same order, so both adapters refuse a file with the same error), their
/// names are COPYed into a temporary staging table, and the species' rows are then swapped for the staged ones. Readers
/// see the old reference until the commit and the new one after it; any error rolls everything back.
///
/// Lookups are answered from a copy of the species' names in this process, loaded on first use and again whenever
/// the stored reference changed (its summary row's `xmin`, read with every lookup): a 10,000-name request costs one
/// one-row query instead of 10,000 index probes and the transfer of their rows. Every server process keeps its own
/// copy and sees another process's import on its next lookup.
public struct PostgresGeneReferenceStore: GeneReferenceStore {
    let database: PostgresGateway
    private let cache = NameCache()

    /// Creates the store over a database. A replacement is bounded by its operation timeout only for getting its
    /// connection (its length grows with the file); lookups fail with ``UnavailableError`` past it.
    public init(database: PostgresGateway) {
        self.database = database
    }

    public func replaceReference(
        of species: Species,
        source: String,
        with batches: some AsyncSequence<[GeneReferenceRecord], any Error> & Sendable
    ) async throws -> GeneReferenceSummary {
        try await database.longJob { connection, logger, started in
            guard started() else { throw CancellationError() }
            return try await connection.withTransaction(logger: logger) { connection in
                // One replacement per species at a time: a second waits here and then replaces the first's result.
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), \(Int32(species.taxid)))", logger: logger)
                try await connection.query(
                    """
                    CREATE TEMPORARY TABLE gene_reference_staging (
                        key text NOT NULL, kind smallint NOT NULL, symbol text NOT NULL, ensembl_id text NOT NULL
                    ) ON COMMIT DROP
                    """, logger: logger)
                var checker = RecordChecker(species: species)
                try await connection.copyFrom(
                    table: "gene_reference_staging", columns: ["key", "kind", "symbol", "ensembl_id"], logger: logger
                ) { writer in
                    var buffer = ByteBuffer()
                    for try await batch in batches {
                        for record in batch { try checker.take(record, into: &buffer) }
                        // A batch can be empty (a sequence may yield one); COPY gets data messages only with rows.
                        guard buffer.readableBytes > 0 else { continue }
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                guard checker.records > 0 else { throw GeneReferenceError.emptyReference(species) }
                return try await Self.swap(
                    species, source: source, records: checker.records, on: connection, logger: logger)
            }
        }
    }

    public func matches(forKeys keys: [String], species: Species) async throws -> [GeneNameMatch] {
        guard !keys.isEmpty else { return [] }
        guard let names = try await names(of: species) else { return [] }
        var matches: [GeneNameMatch] = []
        matches.reserveCapacity(keys.count)
        // Keys repeated in `keys` would repeat their matches, which the Domain's grouping tolerates; callers send each once.
        for key in keys { if let found = names[key] { matches += found } }
        return matches
    }

    /// The species' names by key as stored now, from this process's copy when it is current; `nil` when the species
    /// has no reference.
    private func names(of species: Species) async throws -> [String: [GeneNameMatch]]? {
        let taxid = Int32(species.taxid)
        let stamp: String? = try await database.run { client, logger -> String? in
            // xmin is the transaction that last wrote the summary row: every replacement writes it.
            let rows = try await client.query(
                "SELECT xmin::text FROM gene_reference_summaries WHERE species = \(taxid)", logger: logger)
            for try await stamp in rows.decode(String.self) { return stamp }
            return nil
        }
        guard let stamp else { return nil }
        let database = self.database
        return try await cache.names(of: species, stamp: stamp) {
            // A bulk read (about 100,000 rows): the deadline covers getting the connection, not the transfer, which a
            // debug build on a busy machine took past the operation timeout.
            try await database.longJob { connection, logger, started in
                guard started() else { throw CancellationError() }
                let rows = try await connection.query(
                    """
                    SELECT n.key, n.kind, n.symbol, n.ensembl_id, s.xmin::text
                    FROM gene_reference_names n, gene_reference_summaries s
                    WHERE n.species = \(taxid) AND s.species = \(taxid)
                    """, logger: logger)
                var names: [String: [GeneNameMatch]] = [:]
                var loaded: String?
                for try await (key, kind, symbol, ensemblID, stamp) in rows.decode((String, Int16, String, String, String).self) {
                    names[key, default: []].append(
                        GeneNameMatch(key: key, kind: kind == 0 ? .approved : .alias, symbol: symbol, ensemblID: ensemblID))
                    loaded = stamp
                }
                // One snapshot: the names and the stamp they belong to (a replacement committed since the stamp was
                // read shows here with its own stamp, which the cache keeps instead).
                return (names, loaded ?? stamp)
            }
        }
    }

    public func summary(of species: Species) async throws -> GeneReferenceSummary? {
        try await database.run { client, logger in
            let rows = try await client.query(
                "SELECT source, records, genes, symbols, names FROM gene_reference_summaries WHERE species = \(Int32(species.taxid))",
                logger: logger)
            for try await (source, records, genes, symbols, names) in rows.decode((String, Int32, Int32, Int32, Int32).self) {
                return GeneReferenceSummary(
                    species: species, source: source, records: Int(records), genes: Int(genes), symbols: Int(symbols), names: Int(names))
            }
            return nil
        }
    }

    /// Refreshes planner statistics; worth it after an import.
    public func analyze() async throws {
        _ = try await database.run { client, logger in
            try await client.query("ANALYZE gene_reference_names, gene_reference_summaries", logger: logger)
        }
    }

    // MARK: - Helpers

    /// The first key of the advisory locks this store takes (`hashtext('gene_reference')` would do; a constant is plainer).
    private static let lockNamespace: Int32 = 17

    /// Replaces the species' names with the staged ones and writes its summary, counted from the rows now stored.
    private static func swap(
        _ species: Species, source: String, records: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> GeneReferenceSummary {
        try await connection.query("DELETE FROM gene_reference_names WHERE species = \(Int32(species.taxid))", logger: logger)
        // A name may be listed twice for one gene (`DEDAF` on two rows); the staging table keeps repeats, the index does not.
        try await connection.query(
            """
            INSERT INTO gene_reference_names (species, key, kind, symbol, ensembl_id)
            SELECT DISTINCT \(Int32(species.taxid))::integer, key, kind, symbol, ensembl_id FROM gene_reference_staging
            """, logger: logger)
        let counted = try await connection.query(
            """
            INSERT INTO gene_reference_summaries (species, source, records, genes, symbols, names, loaded_at)
            SELECT \(Int32(species.taxid))::integer, \(source), \(records)::integer,
                count(DISTINCT ensembl_id) FILTER (WHERE kind = 0), count(DISTINCT key) FILTER (WHERE kind = 0), count(DISTINCT key), now()
            FROM gene_reference_names WHERE species = \(Int32(species.taxid))
            ON CONFLICT (species) DO UPDATE SET source = excluded.source, records = excluded.records, genes = excluded.genes,
                symbols = excluded.symbols, names = excluded.names, loaded_at = excluded.loaded_at
            RETURNING records, genes, symbols, names
            """, logger: logger)
        for try await (records, genes, symbols, names) in counted.decode((Int32, Int32, Int32, Int32).self) {
            return GeneReferenceSummary(
                species: species, source: source, records: Int(records), genes: Int(genes), symbols: Int(symbols), names: Int(names))
        }
        throw UnexpectedResult(operation: "write the gene reference summary")
    }
}

/// The checks of ``GeneReferenceIndex/insert(_:)`` over a stream of records, writing each record's names as COPY rows.
///
/// Holds one symbol per Ensembl id seen (about 80,000 for mouse), not the names: those go straight to the buffer.
private struct RecordChecker {
    let species: Species
    private var symbolByEnsemblID: [String: String] = [:]
    private(set) var records = 0

    init(species: Species) {
        self.species = species
    }

    /// Checks one record and appends its rows: the approved symbol for a gene seen first, the alias when it adds a
    /// name a request could hold (``GeneReferenceRules/isQueryable(_:)``).
    mutating func take(_ record: GeneReferenceRecord, into buffer: inout ByteBuffer) throws(GeneReferenceError) {
        guard record.species == species else {
            throw .speciesMismatch(expected: species, found: record.species, ensemblID: record.ensemblID)
        }
        if let symbol = symbolByEnsemblID[record.ensemblID] {
            guard symbol == record.symbol else {
                throw .conflictingSymbols(ensemblID: record.ensemblID, first: symbol, second: record.symbol)
            }
        } else {
            symbolByEnsemblID[record.ensemblID] = record.symbol
            Self.write(key: GeneReferenceRules.key(forName: record.symbol), kind: .approved, record, into: &buffer)
        }
        records += 1
        guard !record.aliasIsSymbol, GeneReferenceRules.isQueryable(record.alias) else { return }
        Self.write(key: GeneReferenceRules.key(forName: record.alias), kind: .alias, record, into: &buffer)
    }

    private static func write(key: String, kind: GeneNameMatch.Kind, _ record: GeneReferenceRecord, into buffer: inout ByteBuffer) {
        buffer.writeString(CopyText.escape(key))
        buffer.writeString(kind == .approved ? "\t0\t" : "\t1\t")
        buffer.writeString(CopyText.escape(record.symbol))
        buffer.writeString("\t")
        buffer.writeString(CopyText.escape(record.ensemblID))
        buffer.writeString("\n")
    }
}

/// The names of each species' reference as last loaded, with the stamp of the reference they came from; concurrent
/// lookups of a stale species share one load.
private final class NameCache: Sendable {
    private typealias Names = [String: [GeneNameMatch]]

    private struct Entry {
        let stamp: String
        let load: Task<(Names, String), any Error>
    }

    private let entries = Mutex<[Species: Entry]>([:])

    func names(
        of species: Species, stamp: String, load: @escaping @Sendable () async throws -> ([String: [GeneNameMatch]], String)
    ) async throws -> [String: [GeneNameMatch]] {
        let task: Task<(Names, String), any Error> = entries.withLock { entries in
            if let entry = entries[species], entry.stamp == stamp { return entry.load }
            let task = Task { try await load() }
            entries[species] = Entry(stamp: stamp, load: task)
            return task
        }
        do {
            let (names, loadedStamp) = try await task.value
            if loadedStamp != stamp {
                // Loaded after a newer replacement: keep it under the stamp it really has.
                entries.withLock { entries in
                    if entries[species]?.stamp == stamp { entries[species] = Entry(stamp: loadedStamp, load: task) }
                }
            }
            return names
        } catch {
            // A failed load is not kept: the next lookup tries again.
            entries.withLock { entries in
                if entries[species]?.stamp == stamp { entries[species] = nil }
            }
            throw error
        }
    }
}
