public import AssayDomain
public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// ``CollectionRepository`` on Postgres (table `collections`, the sets' `collection_id`; migration 6). Imports are one
/// transaction of COPY batches; exports stream rows as the server sends them.
public struct PostgresCollectionRepository: CollectionRepository {
    let database: PostgresGateway

    /// Creates the repository over a database; calls it cannot answer within its operation timeout fail with
    /// ``UnavailableError`` (an import or export only for getting its connection: their length grows with the file).
    public init(database: PostgresGateway) {
        self.database = database
    }

    public func createCollection(_ draft: CollectionDraft, at time: Date) async throws -> GenesetCollection {
        do {
            let created = try await database.run { client, logger in
                try await Self.collections(
                    client.query(
                        """
                        INSERT INTO collections (name, description, created_at, gene_count, species, owner, visibility)
                        VALUES (
                            \(draft.name), \(draft.description), \(time), 0, \(draft.species.rawValue), \(draft.ownership.owner),
                            \(draft.ownership.visibility.rawValue))
                        RETURNING id, name, description, created_at, species, 0::bigint, gene_count, owner, visibility
                        """, logger: logger))
            }
            guard let collection = created.first else { throw UnexpectedResult(operation: "create a collection") }
            return collection
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw CollectionError.nameTaken(draft.name)
        }
    }

    public func collection(id: Int64) async throws -> GenesetCollection? {
        try await page(id: id, after: 0, limit: 1).first
    }

    public func collection(named name: String, owner: String) async throws -> GenesetCollection? {
        try await page(name: name, scope: VisibilityScope(owner: owner), after: 0, limit: 1).first
    }

    public func collections(after: Int64?, limit: Int, in scope: VisibilityScope) async throws -> [GenesetCollection] {
        try await page(scope: scope, after: after ?? 0, limit: limit)
    }

    public func collectionCount(visibleTo viewer: Viewer) async throws -> Int {
        let user = viewer.isAdmin ? nil : viewer.user
        return try await database.run { client, logger in
            let rows = try await client.query(
                "SELECT count(*) FROM collections WHERE \(user)::text IS NULL OR visibility = 'public' OR owner = \(user)::text", logger: logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    /// One statement: the sets follow through `genesets_collection_access_fkey`'s `ON UPDATE CASCADE` (migration 11).
    public func setVisibility(of collectionID: Int64, to visibility: Visibility) async throws -> GenesetCollection? {
        let changed = try await database.run { client, logger in
            let rows = try await client.query(
                "UPDATE collections SET visibility = \(visibility.rawValue) WHERE id = \(collectionID) RETURNING id", logger: logger)
            var found = false
            for try await _ in rows.decode(Int64.self) { found = true }
            return found
        }
        guard changed else { return nil }
        await PostgresGenesetRepository.advanceVersion(database)
        return try await collection(id: collectionID)
    }

    public func deleteCollection(id: Int64) async throws -> Bool {
        let deleted = try await database.transaction { connection, logger in
            // Row locks first. On the collection: a set created in (or moved to) it meanwhile either committed or waits
            // on its key check and then fails, the collection gone. On its sets: a replace in flight commits first
            // (its new memberships are then seen below), a later one finds its set gone. Memberships have no foreign
            // key to cascade from (migration 9), so they go first, then the sets (by cascade) with the collection.
            try await connection.query("SELECT id FROM collections WHERE id = \(id) FOR UPDATE", logger: logger)
            try await connection.query("SELECT id FROM genesets WHERE collection_id = \(id) FOR UPDATE", logger: logger)
            // By the gene key (migration 13), each set's memberships found through its gene_ids.
            try await connection.query(
                """
                DELETE FROM geneset_genes m USING genesets s
                WHERE s.collection_id = \(id) AND m.geneset_id = s.id AND m.gene_id = ANY(s.gene_ids)
                """, logger: logger)
            let rows = try await connection.query("DELETE FROM collections WHERE id = \(id) RETURNING id", logger: logger)
            var deleted = false
            for try await _ in rows.decode(Int64.self) { deleted = true }
            return deleted
        }
        if deleted { await PostgresGenesetRepository.advanceVersion(database) }
        return deleted
    }

    public func importSets(
        into collectionID: Int64, at time: Date,
        _ produce: @escaping @Sendable (_ write: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws -> Void
    ) async throws {
        try await database.longJob { connection, logger, started in
            guard started() else { throw CancellationError() }
            try await connection.withTransaction(logger: logger) { connection in
                // The row lock keeps a concurrent delete of the collection (or a second import) out until this commits.
                let locked = try await connection.query(
                    "SELECT species, owner, visibility FROM collections WHERE id = \(collectionID) FOR UPDATE", logger: logger)
                var found: (Int, String, String)?
                for try await row in locked.decode((Int, String, String).self) { found = row }
                guard let (taxid, owner, visibility) = found else { throw CollectionError.notFound(collectionID) }
                let species = try Species.stored(taxid, of: "collection \(collectionID)")
                let ownership = try Ownership.stored(owner: owner, visibility: visibility, of: "collection \(collectionID)")
                var wasEmpty = true
                let held = try await connection.query(
                    "SELECT EXISTS (SELECT 1 FROM genesets WHERE collection_id = \(collectionID))", logger: logger)
                for try await exists in held.decode(Bool.self) { wasEmpty = !exists }
                // Memberships collect in a staging table and go into geneset_genes once, in its key's order (migration
                // 13): random inserts into the gene key were most of an import's time. Dropped at commit or rollback.
                try await connection.query(
                    "CREATE TEMP TABLE assay_import_memberships (geneset_id bigint, position integer, gene_id bigint) ON COMMIT DROP",
                    logger: logger)
                let genes = BulkLoad()
                try await produce { records in
                    let keys = records.map { CollectionRules.key(forName: $0.name) }
                    let taken = try await connection.query(
                        "SELECT lower(title) FROM genesets WHERE collection_id = \(collectionID) AND lower(title) = ANY(\(keys)) LIMIT 1",
                        logger: logger)
                    for try await key in taken.decode(String.self) {
                        let name = records.first { CollectionRules.key(forName: $0.name) == key }?.name ?? key
                        throw CollectionError.setNameTaken(collection: collectionID, name: name)
                    }
                    let drafts = records.map { GenesetDraft(importing: $0, into: collectionID) }
                    genes.record(
                        try await PostgresGenesetRepository.insert(
                            drafts, species: species, ownership: { _ in ownership }, at: time, on: connection,
                            memberships: "assay_import_memberships", known: genes.knownGenes, logger: logger))
                }
                // The trigger of migration 12 need not look at these: insert recorded their public genes.
                try await connection.query("SELECT set_config('assay.recorded_public_genes', 'on', true)", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO geneset_genes (geneset_id, position, gene_id)
                    SELECT geneset_id, position, gene_id FROM assay_import_memberships ORDER BY gene_id, geneset_id
                    """, logger: logger)
                try await connection.query("SELECT set_config('assay.recorded_public_genes', 'off', true)", logger: logger)
                if wasEmpty {
                    // The collection holds just the imported sets: its gene count is the genes they were stored with.
                    let count = genes.knownGenes.count
                    try await connection.query("UPDATE collections SET gene_count = \(count) WHERE id = \(collectionID)", logger: logger)
                } else {
                    try await connection.query(
                        """
                        UPDATE collections c SET gene_count = (
                            SELECT count(DISTINCT g) FROM genesets s, unnest(s.gene_ids) g WHERE s.collection_id = c.id)
                        WHERE c.id = \(collectionID)
                        """, logger: logger)
                }
            }
        }
        await PostgresGenesetRepository.advanceVersion(database)
    }

    public func exportSets(of collectionID: Int64, _ body: @escaping @Sendable ([GMTRecord]) async throws -> Void) async throws {
        try await exportRows(of: collectionID) { rows in
            var batch: [GMTRecord] = []
            var position = 0
            for try await row in rows {
                let (title, description, names) = try row.decode((String, String, ByteBuffer).self)
                position += 1
                batch.append(GMTRecord(line: position, name: title, description: description, genes: try PostgresArrayColumn.strings(names)))
                if batch.count == 1_000 {
                    try await body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try await body(batch) }
        }
    }

    /// The GMT text written from the rows' bytes: each `text[]` element is copied as it arrives, where decoding the
    /// records made a `String` of each of millions of genes and wrote it out again (half of an export's CPU).
    public func exportGMTLines(of collectionID: Int64, _ body: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        try await exportRows(of: collectionID) { rows in
            let pieceSize = 1 << 20
            var bytes: [UInt8] = []
            bytes.reserveCapacity(pieceSize + (64 << 10))
            for try await row in rows {
                let (title, description, names) = try row.decode((String, String, ByteBuffer).self)
                GMTWriter.appendHead(name: title, description: description, to: &bytes)
                try PostgresArrayColumn.appendTexts(of: names, separatedBy: UInt8(ascii: "\t"), to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
                if bytes.count >= pieceSize {
                    try await body(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            if !bytes.isEmpty { try await body(bytes) }
        }
    }

    /// The collection's sets as rows of title, description ('' when none) and gene names, in ascending id order, for
    /// `read`; throws ``CollectionError/notFound(_:)`` for an unknown collection. One statement, so one snapshot;
    /// postgres-nio hands rows over as they arrive, with backpressure.
    private func exportRows(of collectionID: Int64, _ read: @escaping @Sendable (PostgresRowSequence) async throws -> Void) async throws {
        try await database.longJob { connection, logger, started in
            let exists = try await connection.query("SELECT id FROM collections WHERE id = \(collectionID)", logger: logger)
            var found = false
            for try await _ in exists.decode(Int64.self) { found = true }
            guard found else { throw CollectionError.notFound(collectionID) }
            guard started() else { throw CancellationError() }
            try await read(
                try await connection.query(
                    """
                    SELECT title, coalesce(description, ''), gene_names FROM genesets
                    WHERE collection_id = \(collectionID) ORDER BY id
                    """, logger: logger))
        }
    }

    // MARK: - Helpers

    /// Collections by ascending id (one by id, one by name, or a page of a scope), with their counts. A collection whose
    /// gene count a change cleared is counted again here and the count kept (one pass over its sets' gene arrays); when
    /// a concurrent reader is already doing that, this one counts for itself rather than wait.
    private func page(
        id: Int64? = nil, name: String? = nil, scope: VisibilityScope = VisibilityScope(), after: Int64, limit: Int
    ) async throws -> [GenesetCollection] {
        let viewer = scope.restrictedTo
        let owner = scope.owner
        let visibility = scope.visibility?.rawValue
        return try await database.run { client, logger in
            try await Self.collections(
                client.query(
                    """
                    WITH picked AS (
                        SELECT id FROM collections
                        WHERE (\(id)::bigint IS NULL OR id = \(id)::bigint) AND (\(name)::text IS NULL OR lower(name) = lower(\(name)::text))
                          AND id > \(after)
                          AND (\(viewer)::text IS NULL OR visibility = 'public' OR owner = \(viewer)::text)
                          AND (\(owner)::text IS NULL OR owner = \(owner)::text)
                          AND (\(visibility)::text IS NULL OR visibility = \(visibility)::text)
                        ORDER BY id LIMIT \(limit)
                    ), recounted AS (
                        UPDATE collections c SET gene_count = (
                            SELECT count(DISTINCT g) FROM genesets s, unnest(s.gene_ids) g WHERE s.collection_id = c.id)
                        WHERE c.id IN (SELECT id FROM picked) AND c.gene_count IS NULL
                        RETURNING c.id, c.gene_count
                    )
                    SELECT c.id, c.name, c.description, c.created_at, c.species,
                        (SELECT count(*) FROM genesets s WHERE s.collection_id = c.id),
                        coalesce(r.gene_count, c.gene_count, (
                            SELECT count(DISTINCT g) FROM genesets s, unnest(s.gene_ids) g WHERE s.collection_id = c.id)::integer),
                        c.owner, c.visibility
                    FROM collections c JOIN picked p ON p.id = c.id LEFT JOIN recounted r ON r.id = c.id
                    ORDER BY c.id
                    """, logger: logger))
        }
    }

    private static func collections(_ rows: PostgresRowSequence) async throws -> [GenesetCollection] {
        var collections: [GenesetCollection] = []
        for try await (id, name, description, created, taxid, sets, genes, owner, visibility) in rows.decode(
            (Int64, String, String, Date, Int, Int64, Int?, String, String).self)
        {
            let species = try Species.stored(taxid, of: "collection \(id)")
            let ownership = try Ownership.stored(owner: owner, visibility: visibility, of: "collection \(id)")
            collections.append(
                GenesetCollection(
                    id: id, name: name, description: description, createdAt: created, setCount: Int(sets), geneCount: genes ?? 0, species: species,
                    ownership: ownership))
        }
        return collections
    }
}
