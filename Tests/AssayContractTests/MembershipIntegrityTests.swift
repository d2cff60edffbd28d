import AssayDomain
import AssayPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// Memberships (`geneset_genes`) have no foreign keys since migration 9: the repositories keep them exact.
@Suite("Postgres memberships") struct MembershipIntegrityTests {
    @Test(.enabled(if: TestDatabase.url != nil)) func noMembershipOutlivesItsSetEvenUnderConcurrentWrites() async throws {
        try await TestDatabase.withFreshSchema { client, logger in
            let gateway = PostgresGateway(client: client, logger: logger)
            let sets = PostgresGenesetRepository(database: gateway)
            let collections = PostgresCollectionRepository(database: gateway)
            let collection = try await collections.createCollection(CollectionDraft(name: "C"), at: t0)
            var ids: [Int64] = []
            for index in 0..<20 {
                let draft = try GenesetDraft(
                    title: "S\(index)", geneNames: ["A\(index)", "B", "C\(index % 3)"], collectionID: index < 10 ? collection.id : nil)
                ids.append(try await sets.create(draft, at: t0).id)
            }
            // Replaces and deletes of the same sets race each other, and a collection delete races creates in it.
            try await withThrowingTaskGroup { group in
                for id in ids {
                    group.addTask {
                        for round in 0..<3 {
                            _ = try await sets.replace(
                                id: id, with: try GenesetDraft(title: "R\(id)", geneNames: ["X\(round)", "Y\(id)"]), at: t0)
                        }
                    }
                    group.addTask { _ = try await sets.delete(id: id) }
                }
                group.addTask { _ = try await collections.deleteCollection(id: collection.id) }
                for index in 0..<5 {
                    group.addTask {
                        do {
                            _ = try await sets.create(try GenesetDraft(title: "late\(index)", geneNames: ["Z"], collectionID: collection.id), at: t0)
                        } catch CollectionError.notFound {
                            // The collection went first.
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = try await collections.deleteCollection(id: collection.id)
            let rows = try await client.query(
                """
                SELECT (SELECT count(*) FROM geneset_genes m WHERE NOT EXISTS (SELECT 1 FROM genesets s WHERE s.id = m.geneset_id)),
                       (SELECT count(*) FROM geneset_genes),
                       (SELECT coalesce(sum(cardinality(gene_ids)), 0) FROM genesets)
                """, logger: logger)
            for try await (orphans, memberships, expected) in rows.decode((Int64, Int64, Int64).self) {
                #expect(orphans == 0)
                #expect(memberships == expected)
            }
            #expect(try await sets.genesetCount() == 0)
            #expect(try await PublicGeneFlags.drift(client: client, logger: logger) == 0)
        }
    }

    /// Each gene's flag "a public set holds it" (migration 12) is never set wrongly while sets are created, imported,
    /// replaced (public to private and back), deleted, and their collections published, hidden and deleted, all at
    /// once; and once the writers are done, every flag is exact.
    @Test(.enabled(if: TestDatabase.url != nil)) func publicGeneFlagsStayTrueUnderConcurrentWrites() async throws {
        try await TestDatabase.withFreshSchema { client, logger in
            let gateway = PostgresGateway(client: client, logger: logger)
            let sets = PostgresGenesetRepository(database: gateway)
            let collections = PostgresCollectionRepository(database: gateway)
            var collectionIDs: [Int64] = []
            for index in 0..<3 {
                var draft = try CollectionDraft(name: "C\(index)")
                draft.ownership = Ownership(owner: "alice", visibility: index == 0 ? .public : .private)
                collectionIDs.append(try await collections.createCollection(draft, at: t0).id)
            }
            let genes = (0..<12).map { "G\($0)" }
            func draft(_ index: Int, visibility: Visibility, collection: Int64? = nil) throws -> GenesetDraft {
                var draft = try GenesetDraft(
                    title: "S\(index)", geneNames: [genes[index % 12], genes[(index + 1) % 12], genes[(index + 5) % 12]], collectionID: collection)
                draft.owner = "alice"
                draft.visibility = visibility
                return draft
            }
            var ids: [Int64] = []
            for index in 0..<16 {
                ids.append(try await sets.create(try draft(index, visibility: index.isMultiple(of: 2) ? .public : .private), at: t0).id)
            }
            #expect(try await PublicGeneFlags.drift(client: client, logger: logger) == 0)
            let deletedCollection = collectionIDs[2]
            try await withThrowingTaskGroup { group in
                for (offset, id) in ids.enumerated() {
                    group.addTask {
                        for round in 0..<3 {
                            _ = try await sets.replace(
                                id: id, with: try draft(offset + round, visibility: (offset + round).isMultiple(of: 3) ? .private : .public), at: t0)
                        }
                        if offset.isMultiple(of: 4) { _ = try await sets.delete(id: id) }
                    }
                }
                for (offset, collection) in collectionIDs.enumerated() {
                    group.addTask {
                        // The last collection is deleted meanwhile: its writes may find it gone.
                        do {
                            try await collections.importSets(into: collection, at: t0) { write in
                                for batch in 0..<3 {
                                    try await write(
                                        (0..<4).map { item in
                                            GMTRecord(
                                                line: batch * 4 + item + 1, name: "I\(batch)_\(item)", description: "na",
                                                genes: [genes[(batch + item + offset) % 12], genes[(batch + item + offset + 6) % 12], "X\(offset)"])
                                        })
                                }
                            }
                        } catch CollectionError.notFound {}
                    }
                    group.addTask {
                        for round in 0..<4 {
                            _ = try await collections.setVisibility(of: collection, to: (round + offset).isMultiple(of: 2) ? .public : .private)
                        }
                    }
                    group.addTask {
                        for index in 0..<3 {
                            do {
                                _ = try await sets.create(try draft(100 + index, visibility: .private, collection: collection), at: t0)
                            } catch CollectionError.notFound {}
                        }
                    }
                }
                group.addTask { _ = try await collections.deleteCollection(id: deletedCollection) }
                try await group.waitForAll()
            }
            #expect(try await PublicGeneFlags.drift(client: client, logger: logger) == 0)
            // Some flags are set: the check above compares something.
            let rows = try await client.query("SELECT count(*) FROM genes WHERE in_public_set", logger: logger)
            for try await shared in rows.decode(Int64.self) { #expect(shared > 0) }
        }
    }
}

/// The stored per-gene flags of migration 12 against the memberships.
enum PublicGeneFlags {
    /// How many genes' flag differs from whether a public set holds them.
    static func drift(client: PostgresClient, logger: Logger) async throws -> Int64 {
        let rows = try await client.query(
            """
            SELECT count(*) FROM genes g
            WHERE g.in_public_set <> EXISTS (
                SELECT 1 FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id WHERE m.gene_id = g.id AND s.visibility = 'public')
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }
}
