import AssayDomain
import AssayPostgres
import Foundation
import PostgresNIO
import Testing

@Suite("Postgres migrations")
struct MigrationTests {
    /// Migration 5 copies the genes of the sets already stored, in their order and spelling, into the sets' own
    /// columns; a set without members gets none.
    @Test func geneColumnsAreFilledFromExistingMemberships() async throws {
        let before = Migrations.all.filter { $0.version < 5 }
        try await TestDatabase.withFreshSchema(migrations: before) { client, logger in
            try await client.query("INSERT INTO genes (id, name) VALUES (1, 'BRCA1'), (2, 'tp53'), (3, 'a\"b{,}')", logger: logger)
            try await client.query(
                "INSERT INTO genesets (id, title, created_at, updated_at) VALUES (1, 'One', now(), now()), (2, 'Bare', now(), now())",
                logger: logger)
            try await client.query("INSERT INTO geneset_genes (geneset_id, position, gene_id) VALUES (1, 2, 1), (1, 1, 3), (1, 3, 2)", logger: logger)

            #expect(try await Migrator(client: client, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 > 4 })

            let repository = PostgresGenesetRepository(database: PostgresGateway(client: client, logger: logger))
            let one = try #require(try await repository.geneset(id: 1))
            #expect(one.genes == [Gene(id: 3, name: "a\"b{,}"), Gene(id: 1, name: "BRCA1"), Gene(id: 2, name: "tp53")])
            #expect(try await repository.geneset(id: 2)?.genes == [])
            let page = try await repository.genesets(matching: GenesetFilter(), after: nil, limit: 10)
            #expect(page.map(\.genes.count) == [3, 0])
        }
    }

    /// Migration 10 gives every token a user: admin tokens the admin user's, any other a user of its own.
    @Test func tokensIssuedBeforeUsersGetOne() async throws {
        let before = Migrations.all.filter { $0.version < 10 }
        try await TestDatabase.withFreshSchema(migrations: before) { client, logger in
            try await client.query(
                """
                INSERT INTO access_tokens (id, name, scopes, prefix, hash, created_at) VALUES
                    (1, 'bootstrap admin', '{admin}', 'assay_a', decode(repeat('01', 32), 'hex'), now()),
                    (2, 'ci', '{read,write}', 'assay_b', decode(repeat('02', 32), 'hex'), now()),
                    (3, 'ops', '{read,admin}', 'assay_c', decode(repeat('03', 32), 'hex'), now())
                """, logger: logger)
            #expect(try await Migrator(client: client, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 >= 10 })
            let tokens = try await PostgresTokenStore(database: PostgresGateway(client: client, logger: logger)).all()
            #expect(tokens.map(\.user) == ["admin", "token-2", "admin"])
        }
    }

    /// Migration 11: what existed before owners is the admin's and public, sets keep their collection's ownership, and
    /// collection names become unique per owner.
    @Test func setsAndCollectionsBeforeOwnersAreTheAdminsAndPublic() async throws {
        let before = Migrations.all.filter { $0.version < 11 }
        try await TestDatabase.withFreshSchema(migrations: before) { client, logger in
            let database = PostgresGateway(client: client, logger: logger)
            let collections = PostgresCollectionRepository(database: database)
            let genesets = PostgresGenesetRepository(database: database)
            try await client.query(
                """
                INSERT INTO collections (id, name, description, created_at, gene_count, species) VALUES (1, 'Hallmark', '', now(), 0, 9606)
                """, logger: logger)
            try await client.query(
                """
                INSERT INTO genesets (id, title, created_at, updated_at, gene_ids, gene_names, collection_id, species) VALUES
                    (1, 'loose', now(), now(), '{}', '{}', NULL, 9606), (2, 'HALLMARK_X', now(), now(), '{}', '{}', 1, 9606)
                """, logger: logger)
            try await client.query("SELECT setval(pg_get_serial_sequence('collections', 'id'), 1)", logger: logger)
            #expect(try await Migrator(client: client, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 >= 11 })
            let sets = try await genesets.genesets(matching: GenesetFilter(), after: nil, limit: 10)
            #expect(sets.map(\.ownership) == [.legacy, .legacy])
            #expect(try await collections.collection(id: 1)?.ownership == .legacy)
            // Another user may now have a collection of the same name; the admin may not have two.
            var draft = try CollectionDraft(name: "hallmark")
            draft.ownership = Ownership(owner: "alice", visibility: .private)
            #expect(try await collections.createCollection(draft, at: Date()).owner == "alice")
            await #expect(throws: CollectionError.nameTaken("HALLMARK")) {
                try await collections.createCollection(try CollectionDraft(name: "HALLMARK"), at: Date())
            }
            // Publishing a collection carries its sets along (the cascading key).
            _ = try await collections.setVisibility(of: 1, to: .private)
            #expect(try await genesets.geneset(id: 2)?.visibility == .private)
            #expect(try await genesets.geneset(id: 1)?.visibility == .public)
        }
    }

    /// Migration 12 flags every gene that a public set holds.
    @Test func everyGeneHeldByAPublicSetIsFlagged() async throws {
        let before = Migrations.all.filter { $0.version < 12 }
        try await TestDatabase.withFreshSchema(migrations: before) { client, logger in
            try await client.query("INSERT INTO genes (id, name) VALUES (1, 'A'), (2, 'B'), (3, 'C'), (4, 'D')", logger: logger)
            try await client.query(
                """
                INSERT INTO genesets (id, title, created_at, updated_at, gene_ids, gene_names, species, owner, visibility) VALUES
                    (1, 'p1', now(), now(), '{1,2}', '{A,B}', 9606, 'admin', 'public'),
                    (2, 'p2', now(), now(), '{2}', '{B}', 9606, 'alice', 'public'),
                    (3, 'q', now(), now(), '{2,3}', '{B,C}', 9606, 'alice', 'private')
                """, logger: logger)
            try await client.query(
                "INSERT INTO geneset_genes (geneset_id, position, gene_id) VALUES (1, 1, 1), (1, 2, 2), (2, 1, 2), (3, 1, 2), (3, 2, 3)",
                logger: logger)
            #expect(try await Migrator(client: client, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 >= 12 })
            var flags: [Int64: Bool] = [:]
            for try await (id, flag) in try await client.query("SELECT id, in_public_set FROM genes", logger: logger).decode((Int64, Bool).self) {
                flags[id] = flag
            }
            #expect(flags == [1: true, 2: true, 3: false, 4: false])
            #expect(try await PublicGeneFlags.drift(client: client, logger: logger) == 0)
        }
    }

    /// Migration 13 keys memberships by gene: sets stored before it are deleted and replaced through their gene ids, and
    /// migration 12's flags still follow sets made private, all with the memberships' order kept in the sets.
    @Test func membershipsKeyedByGeneStillFollowTheirSets() async throws {
        let before = Migrations.all.filter { $0.version < 13 }
        try await TestDatabase.withFreshSchema(migrations: before) { client, logger in
            try await client.query("INSERT INTO genes (id, name) VALUES (1, 'A'), (2, 'B'), (3, 'C'), (4, 'D')", logger: logger)
            try await client.query(
                """
                INSERT INTO genesets (id, title, created_at, updated_at, gene_ids, gene_names, species, owner, visibility) VALUES
                    (1, 'one', now(), now(), '{2,1}', '{B,A}', 9606, 'admin', 'public'),
                    (2, 'two', now(), now(), '{3,2}', '{C,B}', 9606, 'admin', 'public'),
                    (3, 'three', now(), now(), '{4}', '{D}', 9606, 'admin', 'public')
                """, logger: logger)
            try await client.query(
                "INSERT INTO geneset_genes (geneset_id, position, gene_id) VALUES (1, 1, 2), (1, 2, 1), (2, 1, 3), (2, 2, 2), (3, 1, 4)",
                logger: logger)
            try await client.query("UPDATE genes SET in_public_set = true", logger: logger)
            #expect(try await Migrator(client: client, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 >= 13 })
            for try await definition in try await client.query(
                "SELECT pg_get_indexdef('geneset_genes_pkey'::regclass)", logger: logger
            ).decode(String.self) {
                #expect(definition.hasSuffix("(gene_id, geneset_id)"))
            }
            let genesets = PostgresGenesetRepository(database: PostgresGateway(client: client, logger: logger))
            #expect(try await genesets.delete(id: 1))
            let replaced = try await genesets.replace(id: 2, with: try GenesetDraft(title: "two", geneNames: ["D", "A"]), at: Date())
            #expect(replaced?.genes.map(\.name) == ["D", "A"])
            var memberships: [[Int64]] = []
            for try await (set, gene) in try await client.query(
                "SELECT geneset_id, gene_id FROM geneset_genes ORDER BY geneset_id, position", logger: logger
            ).decode((Int64, Int64).self) {
                memberships.append([set, gene])
            }
            #expect(memberships == [[2, 4], [2, 1], [3, 4]])
            try await client.query("UPDATE genesets SET visibility = 'private' WHERE id = 2", logger: logger)
            #expect(try await PublicGeneFlags.drift(client: client, logger: logger) == 0)
            var flagged: [Int64] = []
            for try await id in try await client.query("SELECT id FROM genes WHERE in_public_set ORDER BY id", logger: logger).decode(Int64.self) {
                flagged.append(id)
            }
            #expect(flagged == [4])
        }
    }

    /// Migration 14: a rare title that happens to be among the planner's sampled titles is still searched through the
    /// trigram index. With the default 100 histogram entries such a title counted as 1% of the catalog, and the page
    /// query walked the primary key through every set looking for 51 matches.
    @Test func aRareSampledTitleIsSearchedThroughTheTrigramIndex() async throws {
        try await TestDatabase.withFreshSchema { client, logger in
            try await client.query(
                """
                INSERT INTO genesets (id, title, created_at, updated_at, gene_ids, gene_names, species, owner, visibility)
                SELECT i, 'Set #' || i, now(), now(), '{}', '{}', 9606, 'admin', 'public' FROM generate_series(1, 30000) AS i
                """, logger: logger)
            try await client.query("ANALYZE genesets", logger: logger)
            var sampled: [String] = []
            for try await title in try await client.query(
                """
                SELECT unnest(histogram_bounds::text::text[]) FROM pg_stats
                WHERE schemaname = current_schema() AND tablename = 'genesets_title_trgm'
                """, logger: logger
            ).decode(String.self) {
                sampled.append(title)
            }
            // Five sampled titles with five-digit numbers: each pattern matches that one set.
            let patterns = sampled.compactMap { $0.split(separator: "#").last.flatMap { $0.count == 5 ? "%#\($0)%" : nil } }
            try #require(patterns.count >= 5, "sampled titles: \(sampled.prefix(10))")
            for pattern in patterns.prefix(5) {
                var plan = ""
                for try await line in try await client.query(
                    """
                    EXPLAIN SELECT id FROM genesets
                    WHERE id > 0 AND (visibility = 'public' OR owner = 'reader') AND lower(title) LIKE lower(\(pattern)) ESCAPE '\\'
                    ORDER BY id LIMIT 51
                    """, logger: logger
                ).decode(String.self) {
                    plan += line + "\n"
                }
                #expect(plan.contains("genesets_title_trgm") && !plan.contains("genesets_pkey"), "\(pattern):\n\(plan)")
            }
        }
    }
}
