public import AssayDomain
public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// ``GenesetRepository`` on Postgres: every read is one query (sets come with their genes, no N+1),
/// ranking happens in SQL with pg_trgm, and bulk loads use COPY.
public struct PostgresGenesetRepository: GenesetRepository {
    let database: PostgresGateway

    /// Creates the repository over a database; calls it cannot answer within its operation timeout fail with
    /// ``UnavailableError``.
    public init(database: PostgresGateway) {
        self.database = database
    }

    /// Checks that the database answers.
    public func ping() async throws {
        _ = try await run { client, logger in try await client.query("SELECT 1", logger: logger) }
    }

    public func create(_ draft: GenesetDraft, at time: Date) async throws -> Geneset {
        let visibility = (draft.visibility ?? .public).rawValue
        return try await advancingVersion {
            try await collectionErrors(draft) { client, logger in
                try await client.withTransaction(logger: logger) { connection in
                    // The genes as every writer stores them (missing ones inserted, none locked: migration 12), then
                    // the set with its genes in input order and the memberships, in one statement.
                    let genes = try await Self.storedGenes(draft.geneNames, on: connection, logger: logger)
                    let ids = genes.map(\.id)
                    let rows = try await connection.query(
                        """
                        WITH new_set AS (
                            INSERT INTO genesets (
                                title, created_at, updated_at, gene_ids, gene_names, description, collection_id, species, owner, visibility)
                            VALUES (
                                \(draft.title), \(time), \(time), \(ids), \(genes.map(\.name)), \(draft.description), \(draft.collectionID),
                                coalesce(\(draft.species?.rawValue)::integer, (SELECT species FROM collections WHERE id = \(draft.collectionID)), \(Species.human.rawValue)),
                                coalesce((SELECT owner FROM collections WHERE id = \(draft.collectionID)), \(draft.owner)),
                                coalesce((SELECT visibility FROM collections WHERE id = \(draft.collectionID)), \(visibility)))
                            RETURNING \(unescaped: Self.setColumns)
                        ), linked AS (
                            INSERT INTO geneset_genes (geneset_id, position, gene_id)
                            SELECT new_set.id, t.position::integer, t.gene_id FROM new_set, unnest(\(ids)::bigint[]) WITH ORDINALITY AS t(gene_id, position)
                        ), counted AS (
                            UPDATE collections SET gene_count = NULL WHERE id = \(draft.collectionID)
                        )
                        SELECT \(unescaped: Self.setColumns) FROM new_set
                        """,
                        logger: logger
                    )
                    guard let set = try await Self.genesets(from: rows).first else {
                        throw UnexpectedResult(operation: "create gene set")
                    }
                    return set
                }
            }
        }
    }

    public func createMany(_ drafts: [GenesetDraft], at time: Date) async throws {
        try await createMany(drafts, at: time, known: nil)
    }

    /// Upserts only the genes `load` does not know yet: `assay populate`'s batches share most of their genes, and
    /// looking up the 45,000 of each batch of 5,000 sets again was a fifth of Postgres' work at 1,000,000 sets.
    public func createMany(_ drafts: [GenesetDraft], at time: Date, loading load: BulkLoad) async throws {
        try await createMany(drafts, at: time, known: load)
    }

    private func createMany(_ drafts: [GenesetDraft], at time: Date, known load: BulkLoad?) async throws {
        guard !drafts.isEmpty else { return }
        let known = load?.knownGenes ?? [:]
        let stored = try await advancingVersion {
            try await database.transaction { connection, logger in
                // Sets in a collection get its owner and visibility (the key genesets_collection_access_fkey checks it).
                var ownerships: [Int64: Ownership] = [:]
                let collections = Array(Set(drafts.compactMap(\.collectionID)))
                if !collections.isEmpty {
                    let rows = try await connection.query(
                        "SELECT id, owner, visibility FROM collections WHERE id = ANY(\(collections))", logger: logger)
                    for try await (id, owner, visibility) in rows.decode((Int64, String, String).self) {
                        ownerships[id] = try Ownership.stored(owner: owner, visibility: visibility, of: "collection \(id)")
                    }
                }
                return try await Self.insert(
                    drafts,
                    ownership: { draft in
                        draft.collectionID.flatMap { ownerships[$0] } ?? Ownership(owner: draft.owner, visibility: draft.visibility ?? .public)
                    }, at: time, on: connection, known: known, logger: logger)
            }
        }
        // Only now: genes of a batch that rolled back were never stored.
        load?.record(stored)
    }

    /// Stores sets in bulk on a connection in a transaction: genes upserted in ``GenesetRules/idAssignmentOrder(_:)``,
    /// set ids reserved in order, then sets and memberships with COPY. Collections are not checked: callers do, and
    /// pass the collection's species as `species` (a draft without a species gets it, else human), and `ownership` gives
    /// each set's owner and visibility.
    /// Deletes a set's memberships, found by the gene key (migration 13) through the set's gene_ids, which the same
    /// statements that write memberships keep equal to them.
    static func deleteMemberships(of id: Int64) -> PostgresQuery {
        "DELETE FROM geneset_genes WHERE gene_id = ANY((SELECT gene_ids FROM genesets WHERE id = \(id))::bigint[]) AND geneset_id = \(id)"
    }

    ///
    /// `memberships` names the table the memberships are copied into: `geneset_genes`, or a caller's staging table
    /// that it copies from in the gene key's order (an import). `known` holds genes stored earlier, by key, which are
    /// not looked up again (genes are never deleted): an import's batches share most of their genes, and upserting
    /// them all again cost Postgres 0.3 s a batch. Returns the sets' genes, by key.
    @discardableResult
    static func insert(
        _ drafts: [GenesetDraft], species: Species? = nil, ownership: (GenesetDraft) -> Ownership, at time: Date, on connection: PostgresConnection,
        memberships: String = "geneset_genes", known: [String: Gene] = [:], logger: Logger
    ) async throws -> [String: Gene] {
        let names = Set(drafts.flatMap(\.geneNames))
        var stored = try await upsertGenes(
            known.isEmpty ? names : names.filter { known[GenesetRules.key(forGeneName: $0)] == nil }, on: connection, logger: logger)
        for name in names {
            let key = GenesetRules.key(forGeneName: name)
            if stored[key] == nil, let gene = known[key] { stored[key] = gene }
        }
        var setIDs: [Int64] = []
        setIDs.reserveCapacity(drafts.count)
        let reserved = try await connection.query(
            "SELECT nextval(pg_get_serial_sequence('genesets', 'id')) FROM generate_series(1, \(drafts.count))", logger: logger)
        for try await id in reserved.decode(Int64.self) { setIDs.append(id) }
        setIDs.sort()

        let timestamp = CopyText.timestamp(time)
        var sets = ByteBuffer()
        var members = ByteBuffer()
        // The genes of the public sets written here, recorded for migration 12's flag from what is at hand, rather than
        // by the trigger's join of every copied membership with its set and gene (an import of 3.9 million memberships
        // took 13% longer with it). Settling writes only the flags that change.
        var publicGenes = Set<Int64>()
        for (setID, draft) in zip(setIDs, drafts) {
            let genes = try resolve(draft.geneNames, in: stored)
            sets.writeString("\(setID)\t\(CopyText.escape(draft.title))\t\(timestamp)\t\(timestamp)\t")
            CopyText.writeArrayLiteral(genes.lazy.map(\.id), into: &sets)
            sets.writeString("\t")
            CopyText.writeArrayLiteral(genes.lazy.map(\.name), into: &sets)
            sets.writeString("\t")
            sets.writeString(draft.description.map(CopyText.escape) ?? "\\N")
            sets.writeString("\t")
            sets.writeString(draft.collectionID.map(String.init) ?? "\\N")
            let owned = ownership(draft)
            if owned.visibility == .public { publicGenes.formUnion(genes.map(\.id)) }
            sets.writeString("\t\((draft.species ?? species ?? .human).rawValue)\t\(CopyText.escape(owned.owner))\t\(owned.visibility.rawValue)\n")
            for (position, gene) in genes.enumerated() {
                members.writeString("\(setID)\t\(position + 1)\t\(gene.id)\n")
            }
        }
        let setColumns = [
            "id", "title", "created_at", "updated_at", "gene_ids", "gene_names", "description", "collection_id", "species", "owner", "visibility",
        ]
        try await connection.copyFrom(table: "genesets", columns: setColumns, logger: logger) {
            try await $0.write(sets)
        }
        try await connection.query("SELECT set_config('assay.recorded_public_genes', 'on', true)", logger: logger)
        try await connection.copyFrom(table: memberships, columns: ["geneset_id", "position", "gene_id"], logger: logger) {
            try await $0.write(members)
        }
        try await connection.query("SELECT set_config('assay.recorded_public_genes', 'off', true)", logger: logger)
        if !publicGenes.isEmpty {
            try await connection.query("INSERT INTO public_gene_changes (ids, added) VALUES (\(publicGenes.sorted()), true)", logger: logger)
        }
        return stored
    }

    public func geneset(id: Int64) async throws -> Geneset? {
        try await run { client, logger in
            try await Self.genesets(from: client.query(Self.setWithGenes(id: id), logger: logger)).first
        }
    }

    public func replace(id: Int64, with draft: GenesetDraft, at time: Date) async throws -> Geneset? {
        try await advancingVersion {
            try await collectionErrors(draft, setID: id) { client, logger in
                try await Self.replace(id: id, with: draft, at: time, client: client, logger: logger)
            }
        }
    }

    private static func replace(id: Int64, with draft: GenesetDraft, at time: Date, client: PostgresClient, logger: Logger) async throws -> Geneset? {
        try await client.withTransaction(logger: logger) { connection -> Geneset? in
            // The collections it leaves and joins count their genes again on their next read.
            let updated = try await connection.query(
                """
                WITH old AS (SELECT collection_id FROM genesets WHERE id = \(id) FOR UPDATE),
                moved AS (
                    UPDATE genesets SET title = \(draft.title), updated_at = greatest(\(time)::timestamptz, created_at),
                        description = \(draft.description), collection_id = coalesce(\(draft.collectionID), collection_id),
                        species = coalesce(
                            \(draft.species?.rawValue)::integer,
                            (SELECT c.species FROM collections c WHERE c.id = coalesce(\(draft.collectionID), genesets.collection_id)),
                            species),
                        owner = coalesce(
                            (SELECT c.owner FROM collections c WHERE c.id = coalesce(\(draft.collectionID), genesets.collection_id)), owner),
                        visibility = coalesce(
                            (SELECT c.visibility FROM collections c WHERE c.id = coalesce(\(draft.collectionID), genesets.collection_id)),
                            \(draft.visibility?.rawValue)::text, visibility)
                    WHERE id = \(id) RETURNING id, collection_id
                ), counted AS (
                    UPDATE collections SET gene_count = NULL
                    WHERE id IN (SELECT collection_id FROM old UNION SELECT collection_id FROM moved)
                )
                SELECT id FROM moved
                """,
                logger: logger
            )
            var found = false
            for try await _ in updated.decode(Int64.self) { found = true }
            guard found else { return nil }
            try await connection.query(Self.deleteMemberships(of: id), logger: logger)
            let genes = try await Self.storedGenes(draft.geneNames, on: connection, logger: logger)
            let ids = genes.map(\.id)
            let rows = try await connection.query(
                """
                WITH linked AS (
                    INSERT INTO geneset_genes (geneset_id, position, gene_id)
                    SELECT \(id), t.position::integer, t.gene_id FROM unnest(\(ids)::bigint[]) WITH ORDINALITY AS t(gene_id, position)
                )
                UPDATE genesets SET gene_ids = \(ids), gene_names = \(genes.map(\.name))
                WHERE id = \(id)
                RETURNING \(unescaped: Self.setColumns)
                """,
                logger: logger
            )
            return try await Self.genesets(from: rows).first
        }
    }

    public func delete(id: Int64) async throws -> Bool {
        try await advancingVersion { try await deleteSet(id: id) }
    }

    private func deleteSet(id: Int64) async throws -> Bool {
        try await database.transaction { connection, logger in
            // The row lock first: a replace of this set that committed meanwhile has its memberships seen (and
            // deleted) by the next statement, since memberships have no foreign key to cascade from (migration 9).
            let locked = try await connection.query("SELECT id FROM genesets WHERE id = \(id) FOR UPDATE", logger: logger)
            var found = false
            for try await _ in locked.decode(Int64.self) { found = true }
            guard found else { return false }
            // Memberships in a statement of their own, before the set: migration 12's trigger reads the set's
            // visibility to record the genes a public set lost.
            try await connection.query(Self.deleteMemberships(of: id), logger: logger)
            try await connection.query(
                """
                WITH deleted AS (DELETE FROM genesets WHERE id = \(id) RETURNING collection_id)
                UPDATE collections SET gene_count = NULL WHERE id IN (SELECT collection_id FROM deleted)
                """, logger: logger)
            return true
        }
    }

    public func genesets(matching filter: GenesetFilter, after: Int64?, limit: Int) async throws -> [Geneset] {
        let title = filter.titleContains.map(LikePattern.contains)
        let gene = filter.geneName
        let collection = filter.collectionID
        let viewer = filter.scope.restrictedTo
        let owner = filter.scope.owner
        let visibility = filter.scope.visibility?.rawValue
        let after = after ?? 0
        return try await run { client, logger in
            guard title != nil || gene != nil || collection != nil || owner != nil || visibility != nil else {
                var sets: [Geneset] = []
                if let viewer {
                    let page = VisibleGenesetPage(after: after, limit: Int64(limit), user: viewer)
                    for try await set in try await client.execute(page, logger: logger) { sets.append(set) }
                } else {
                    for try await set in try await client.execute(GenesetPage(after: after, limit: Int64(limit)), logger: logger) { sets.append(set) }
                }
                return sets
            }
            // Unnamed statements are planned with their parameters, so the IS NULL branches fold away.
            let query: PostgresQuery = """
                SELECT \(unescaped: Self.setColumns) FROM genesets
                WHERE id > \(after)
                  AND (\(viewer)::text IS NULL OR visibility = 'public' OR owner = \(viewer)::text)
                  AND (\(owner)::text IS NULL OR owner = \(owner)::text)
                  AND (\(visibility)::text IS NULL OR visibility = \(visibility)::text)
                  AND (\(collection)::bigint IS NULL OR collection_id = \(collection)::bigint)
                  AND (\(title)::text IS NULL OR lower(title) LIKE lower(\(title)::text) ESCAPE '\\')
                  AND (\(gene)::text IS NULL OR id IN (
                        SELECT m.geneset_id FROM geneset_genes m JOIN genes g ON g.id = m.gene_id
                        WHERE lower(g.name) = lower(\(gene)::text)))
                ORDER BY id
                LIMIT \(limit)
                """
            return try await Self.genesets(from: client.query(query, logger: logger))
        }
    }

    public func genes(after: Int64?, limit: Int, visibleTo viewer: Viewer) async throws -> [Gene] {
        let user = viewer.isAdmin ? nil : viewer.user
        return try await run { client, logger in
            let rows = try await client.query(
                """
                SELECT id, name FROM genes g
                WHERE id > \(after ?? 0) AND (\(user)::text IS NULL OR
                    g.in_public_set OR EXISTS (SELECT 1 FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id WHERE m.gene_id = g.id AND (s.visibility = 'public' OR s.owner = \(user)::text)))
                ORDER BY id LIMIT \(limit)
                """, logger: logger)
            var genes: [Gene] = []
            for try await (id, name) in rows.decode((Int64, String).self) { genes.append(Gene(id: id, name: name)) }
            return genes
        }
    }

    /// One prepared statement: the gene, and a page of its sets through a `LATERAL` join.
    public func gene(named name: String, withSetsAfter after: Int64?, limit: Int, visibleTo viewer: Viewer) async throws -> (
        gene: Gene, genesets: [GenesetSummary]
    )? {
        let statement = GeneWithSets(name: name, after: after ?? 0, limit: Int64(limit), viewer: viewer.isAdmin ? nil : viewer.user)
        return try await run { client, logger in
            var gene: Gene?
            var summaries: [GenesetSummary] = []
            for try await (id, name, setID, title) in try await client.execute(statement, logger: logger) {
                gene = Gene(id: id, name: name)
                if let setID, let title { summaries.append(GenesetSummary(id: setID, title: title)) }
            }
            return gene.map { ($0, summaries) }
        }
    }

    /// The ranked candidates first, in one statement planned with its patterns so the trigram index serves them. A
    /// candidate that a public set holds (`genes.in_public_set`, kept by migration 12's triggers) is visible to everyone;
    /// for a user who is not an admin, only the others are checked, against the user's own sets, in a prepared
    /// statement, asking for more candidates only when too few were visible. Probing every candidate cost gene search
    /// a fifth of its rate; checking visibility inside the ranked statement cost its planning a correlated subquery.
    public func searchGenes(_ query: GeneSearch.Query, limit: Int, visibleTo viewer: Viewer) async throws -> [GeneMatch] {
        guard !viewer.isAdmin else { return try await rankedGenes(query, limit: limit, offset: 0).map(\.match) }
        var found: [GeneMatch] = []
        var seen = Set<Int64>()
        var offset = 0
        var batch = limit + 8
        while true {
            let candidates = try await rankedGenes(query, limit: batch, offset: offset)
            let unshared = candidates.filter { !$0.inPublicSet }.map(\.match.gene.id)
            var visible = Set<Int64>()
            if !unshared.isEmpty {
                visible = try await run { client, logger in
                    var visible = Set<Int64>()
                    for try await id in try await client.execute(VisibleGenes(ids: unshared, user: viewer.user), logger: logger) {
                        visible.insert(id)
                    }
                    return visible
                }
            }
            for (match, inPublicSet) in candidates where (inPublicSet || visible.contains(match.gene.id)) && seen.insert(match.gene.id).inserted {
                found.append(match)
                if found.count == limit { return found }
            }
            guard candidates.count == batch else { return found }
            offset += batch
            batch *= 4
        }
    }

    /// Genes matching `query` ranked by ``GeneSearch``, whoever's sets hold them: `limit` of them after `offset`, each
    /// with whether a public set holds it.
    private func rankedGenes(_ query: GeneSearch.Query, limit: Int, offset: Int) async throws -> [(match: GeneMatch, inPublicSet: Bool)] {
        let key = query.key
        let prefix = LikePattern.prefix(key)
        let contains = LikePattern.contains(key)
        let threshold = GeneSearch.fuzzyThreshold
        return try await run { client, logger in
            // Candidates come from the trigram index (substring via LIKE, similar names via %, whose threshold
            // the connection sets to GeneSearch.fuzzyThreshold); the ranking is GeneSearch's, in SQL.
            let rows = try await client.query(
                """
                SELECT id, name, kind, sim, in_public_set FROM (
                    SELECT id, name, in_public_set,
                           CASE WHEN lower(name) = \(key) THEN 0
                                WHEN lower(name) LIKE \(prefix) ESCAPE '\\' THEN 1
                                WHEN lower(name) LIKE \(contains) ESCAPE '\\' THEN 2
                                ELSE 3 END AS kind,
                           similarity(lower(name), \(key)) AS sim
                    FROM genes
                    WHERE lower(name) LIKE \(contains) ESCAPE '\\' OR lower(name) % \(key)
                ) ranked
                WHERE kind < 3 OR sim >= \(threshold)
                ORDER BY kind, sim DESC, lower(name) COLLATE "C", id
                LIMIT \(limit) OFFSET \(offset)
                """,
                logger: logger
            )
            var matches: [(match: GeneMatch, inPublicSet: Bool)] = []
            for try await (id, name, kind, similarity, inPublicSet) in rows.decode((Int64, String, Int32, Float, Bool).self) {
                guard let kind = GeneMatchKind(rawValue: Int(kind)) else { continue }
                matches.append((GeneMatch(gene: Gene(id: id, name: name), kind: kind, similarity: similarity), inPublicSet))
            }
            return matches
        }
    }

    public func genesetCount(visibleTo viewer: Viewer) async throws -> Int {
        let user = viewer.isAdmin ? nil : viewer.user
        return try await count("SELECT count(*) FROM genesets WHERE \(user)::text IS NULL OR visibility = 'public' OR owner = \(user)::text")
    }

    public func geneCount(visibleTo viewer: Viewer) async throws -> Int {
        let user = viewer.isAdmin ? nil : viewer.user
        return try await count(
            """
            SELECT count(*) FROM genes g WHERE \(user)::text IS NULL OR
                g.in_public_set OR EXISTS (SELECT 1 FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id WHERE m.gene_id = g.id AND (s.visibility = 'public' OR s.owner = \(user)::text))
            """)
    }

    public func collectionOwnership(id: Int64) async throws -> Ownership? {
        try await run { client, logger in try await Self.collectionOwnership(id: id, client: client, logger: logger) }
    }

    /// The owner and visibility of collection `id`, or `nil`.
    static func collectionOwnership(id: Int64, client: PostgresClient, logger: Logger) async throws -> Ownership? {
        for try await ownership in try await client.execute(CollectionOwnership(id: id), logger: logger) { return ownership }
        return nil
    }

    /// A collection's owner and visibility, prepared: a user's analysis of a collection reads it every time.
    struct CollectionOwnership: PositionalStatement {
        static let name = "assay_collection_ownership"
        static let sql = "SELECT owner, visibility FROM collections WHERE id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.int8]
        typealias Row = Ownership

        let id: Int64

        var parameters: [any PostgresDynamicTypeEncodable] { [id] }

        func decodeRow(_ row: PostgresRow) throws -> Ownership {
            let (owner, visibility) = try row.decode((String, String).self)
            return try Ownership.stored(owner: owner, visibility: visibility, of: "collection \(id)")
        }
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        try await run { client, logger in
            for try await count in try await client.query(query, logger: logger).decode(Int.self) { return count }
            return 0
        }
    }

    /// Whether the gene `g` is in a set user `parameter` may see (public or theirs): its flag `in_public_set`, else an
    /// index probe, which stops at the first such set. The other queries write the same test with the user bound in place.
    static func visibleGene(_ parameter: String) -> String {
        """
        g.in_public_set OR EXISTS (SELECT 1 FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id
                WHERE m.gene_id = g.id AND (s.visibility = 'public' OR s.owner = \(parameter)::text))
        """
    }

    // MARK: - Helpers

    // `GET /genes/{name}`'s statement, prepared once per pooled connection: pgbench on the benchmark catalog ran the
    // gene lookups 2.7x faster prepared than unnamed, which Postgres plans on every call. Its plan is index lookups
    // whatever the parameters.

    /// A gene by name with one page of the sets containing it: a row per set, or one row without a set.
    struct GeneWithSets: PositionalStatement {
        static let name = "assay_gene_with_sets"
        static let sql = """
            SELECT g.id, g.name, s.id, s.title
            FROM genes g
            LEFT JOIN LATERAL (
                SELECT s.id, s.title FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id
                WHERE m.gene_id = g.id AND m.geneset_id > $2 AND ($4 = '' OR s.visibility = 'public' OR s.owner = $4)
                ORDER BY m.geneset_id LIMIT $3
            ) s ON true
            WHERE lower(g.name) = lower($1) AND ($4 = '' OR \(PostgresGenesetRepository.visibleGene("$4")))
            ORDER BY s.id
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .text]
        typealias Row = (Int64, String, Int64?, String?)

        let name: String
        let after: Int64
        let limit: Int64
        /// The user whose view this is, `nil` for an admin's (bound as an empty name, which no user has).
        let viewer: String?

        var parameters: [any PostgresDynamicTypeEncodable] { [name, after, limit, viewer ?? ""] }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Runs a call with the deadline and the unavailable-database mapping.
    private func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Result) async throws -> Result {
        try await database.run(body)
    }

    /// A set's columns, its genes in input order last; ``geneset(from:)`` reads them.
    static let setColumns = "id, title, created_at, updated_at, gene_ids, gene_names, description, collection_id, species, owner, visibility"

    /// The set with this id and its genes in input order.
    private static func setWithGenes(id: Int64) -> PostgresQuery {
        "SELECT \(unescaped: setColumns) FROM genesets WHERE id = \(id)"
    }

    static func genesets(from rows: PostgresRowSequence) async throws -> [Geneset] {
        var sets: [Geneset] = []
        for try await row in rows { sets.append(try geneset(from: row)) }
        return sets
    }

    /// A row of ``setColumns``.
    private static func geneset(from row: PostgresRow) throws -> Geneset {
        // The columns of `setColumns`, in order.
        var columns = BinaryRowReader(row)
        let id = try columns.int64()
        let title = try columns.text()
        let created = try columns.timestamp()
        let updated = try columns.timestamp()
        let idColumn = try columns.array(of: .int8Array)
        let nameColumn = try columns.array(of: .textArray)
        let description = try columns.optionalText()
        let collectionID = try columns.optionalInt64()
        let taxid = try columns.int()
        let owner = try columns.text()
        let visibility = try columns.text()
        let species = try Species.stored(taxid, of: "set \(id)")
        let ownership = try Ownership.stored(owner: owner, visibility: visibility, of: "set \(id)")
        let geneIDs = try PostgresArrayColumn.int64s(idColumn)
        let names = try PostgresArrayColumn.strings(nameColumn)
        guard geneIDs.count == names.count else { throw UnexpectedResult(operation: "pair gene ids with names of set \(id)") }
        let genes = zip(geneIDs, names).map { Gene(id: $0, name: $1) }
        return Geneset(
            id: id, title: title, genes: genes, createdAt: created, updatedAt: updated, description: description, collectionID: collectionID,
            species: species, ownership: ownership)
    }

    /// Which of the genes `$1` user `$2` may see: those a public set or one of the user's holds. Prepared once per
    /// connection; each probe stops at the first such set.
    struct VisibleGenes: PositionalStatement {
        static let name = "assay_visible_genes"
        static let sql = """
            SELECT c.id FROM unnest($1::int8[]) AS c(id)
            WHERE EXISTS (
                SELECT 1 FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id
                WHERE m.gene_id = c.id AND (s.visibility = 'public' OR s.owner = $2))
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8Array, .text]
        typealias Row = Int64

        let ids: [Int64]
        let user: String

        var parameters: [any PostgresDynamicTypeEncodable] { [ids, user] }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// A page of every set with no filter (an admin's), by ascending id: one index range of one table, so its generic
    /// plan is the right one whatever the parameters, and it is prepared once per connection.
    struct GenesetPage: PositionalStatement {
        static let name = "assay_geneset_page"
        static let sql = "SELECT \(setColumns) FROM genesets WHERE id > $1 ORDER BY id LIMIT $2"
        static let bindingDataTypes: [PostgresDataType] = [.int8, .int8]
        typealias Row = Geneset

        let after: Int64
        let limit: Int64

        var parameters: [any PostgresDynamicTypeEncodable] { [after, limit] }

        func decodeRow(_ row: PostgresRow) throws -> Geneset { try PostgresGenesetRepository.geneset(from: row) }
    }

    /// A page of the sets user `$3` may see with no other filter: the ids of the public sets and of the user's private
    /// ones, two disjoint index-only ranges (`genesets_public_id`, `genesets_owner_visibility_id`) merged in id order,
    /// then the page's rows by primary key. A page reads about `limit` index entries however many hidden sets lie
    /// between the visible ones (50,000 sets of which 50 visible: 0.4 ms, where filtering the id range took 45 ms).
    struct VisibleGenesetPage: PositionalStatement {
        static let name = "assay_visible_geneset_page"
        static let sql = """
            SELECT \(setColumns) FROM genesets
            WHERE id = ANY(ARRAY(
                (SELECT id FROM genesets WHERE visibility = 'public' AND id > $1 ORDER BY id LIMIT $2)
                UNION ALL
                (SELECT id FROM genesets WHERE owner = $3 AND visibility = 'private' AND id > $1 ORDER BY id LIMIT $2)
                ORDER BY id LIMIT $2))
            ORDER BY id
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .int8, .text]
        typealias Row = Geneset

        let after: Int64
        let limit: Int64
        let user: String

        var parameters: [any PostgresDynamicTypeEncodable] { [after, limit, user] }

        func decodeRow(_ row: PostgresRow) throws -> Geneset { try PostgresGenesetRepository.geneset(from: row) }
    }

    /// The stored genes of `names`, in their order: missing ones inserted by ``upsertGenes(_:on:logger:)``.
    static func storedGenes(_ names: [String], on connection: PostgresConnection, logger: Logger) async throws -> [Gene] {
        try resolve(names, in: try await upsertGenes(Set(names), on: connection, logger: logger))
    }

    /// Each of `names` looked up in `stored` (keyed by ``GenesetRules/key(forGeneName:)``), in order.
    private static func resolve(_ names: [String], in stored: [String: Gene]) throws -> [Gene] {
        try names.map { name in
            guard let gene = stored[GenesetRules.key(forGeneName: name)] else { throw UnexpectedResult(operation: "resolve gene \(name)") }
            return gene
        }
    }

    /// Inserts missing genes and returns every name's stored gene (its id, and its name as first stored, which may
    /// differ in case), keyed by ``GenesetRules/key(forGeneName:)``.
    static func upsertGenes(_ names: Set<String>, on connection: PostgresConnection, logger: Logger) async throws -> [String: Gene] {
        let sorted = GenesetRules.idAssignmentOrder(names)
        var genes: [String: Gene] = [:]
        genes.reserveCapacity(sorted.count)
        // New genes come back from the INSERT, known ones from the join (the statement's snapshot predates
        // the INSERT, so the two never overlap). Joining on unnest keeps the lookup on the lower(name) index.
        let rows = try await connection.query(
            """
            WITH input AS (
                SELECT name, ord FROM unnest(\(sorted)::text[]) WITH ORDINALITY AS t(name, ord)
            ), inserted AS (
                INSERT INTO genes (name) SELECT name FROM input ORDER BY ord
                ON CONFLICT (lower(name)) DO NOTHING
                RETURNING id, name
            )
            SELECT id, name FROM inserted
            UNION ALL
            SELECT g.id, g.name FROM input JOIN genes g ON lower(g.name) = lower(input.name)
            """,
            logger: logger)
        for try await (id, name) in rows.decode((Int64, String).self) { genes[GenesetRules.key(forGeneName: name)] = Gene(id: id, name: name) }
        // A gene another writer committed while the INSERT waited is invisible to that statement; look again.
        let missing = sorted.map(GenesetRules.key(forGeneName:)).filter { genes[$0] == nil }
        if !missing.isEmpty {
            let again = try await connection.query(
                "SELECT g.id, g.name FROM unnest(\(missing)::text[]) AS k(key) JOIN genes g ON lower(g.name) = k.key", logger: logger)
            for try await (id, name) in again.decode((Int64, String).self) { genes[GenesetRules.key(forGeneName: name)] = Gene(id: id, name: name) }
        }
        return genes
    }

    /// Runs a write that may name a collection, turning the database's refusals into ``CollectionError``s.
    private func collectionErrors<Result: Sendable>(
        _ draft: GenesetDraft, setID: Int64? = nil, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Result
    ) async throws -> Result {
        do {
            return try await run(body)
        } catch let error as PSQLError {
            if error.isSpeciesRefusal { throw try await speciesRefusal(draft, setID: setID) }
            if let collectionID = draft.collectionID, let refusal = error.collectionRefusal(collectionID: collectionID, name: draft.title) {
                throw refusal
            }
            throw error
        }
    }

    /// Why a write with `draft` broke `genesets_species_fkey`: its collection (or set `setID`'s, when the draft
    /// names none) is gone, or holds another species.
    private func speciesRefusal(_ draft: GenesetDraft, setID: Int64?) async throws -> CollectionError {
        let found = try await run { client, logger in
            var found: (Int64, Int)?
            let rows = try await client.query(
                """
                SELECT id, species FROM collections
                WHERE id = coalesce(\(draft.collectionID)::bigint, (SELECT collection_id FROM genesets WHERE id = \(setID)::bigint))
                """, logger: logger)
            for try await row in rows.decode((Int64, Int).self) { found = row }
            return found
        }
        guard let (collectionID, taxid) = found, let collectionSpecies = Species(rawValue: taxid), let species = draft.species else {
            return .notFound(draft.collectionID ?? 0)
        }
        return .speciesMismatch(collection: collectionID, collectionSpecies: collectionSpecies, species: species)
    }

    /// Runs a change, then advances the catalog version once it committed: a reader never sees a version newer than
    /// the rows it reads after it. (A reader that sees the rows before the advance builds an index newer than its
    /// number, which only costs one more build.)
    func advancingVersion<Result: Sendable>(_ change: () async throws -> Result) async throws -> Result {
        let result = try await change()
        await PostgresGenesetRepository.advanceVersion(database)
        return result
    }

    /// Advances the catalog version; a failure is logged (the next change advances it again).
    static func advanceVersion(_ database: PostgresGateway) async {
        do {
            _ = try await database.run { client, logger in try await client.query("SELECT nextval('catalog_version')", logger: logger) }
        } catch {
            database.logger.warning("could not advance the catalog version", metadata: ["error": "\(error)"])
        }
    }

    /// Vacuums the catalog's tables and refreshes planner statistics; worth it after a bulk load. The vacuum sets the
    /// visibility map, so a user's page of sets reads its ids from the indexes alone (``VisibleGenesetPage``) at once,
    /// rather than after autovacuum gets round to the new rows (and competes with the first requests while it does).
    public func analyze() async throws {
        // As `PostgresProductRepository.analyze()`: ANALYZE committed synchronously flushes the load's commits, so that
        // VACUUM finds their rows' hint bits and can mark the pages all-visible.
        try await database.transaction { connection, logger in
            try await connection.query("SET LOCAL synchronous_commit = on", logger: logger)
            try await connection.query("ANALYZE genes, genesets, geneset_genes", logger: logger)
        }
        _ = try await run { client, logger in try await client.query("VACUUM genes, genesets, geneset_genes", logger: logger) }
    }
}
