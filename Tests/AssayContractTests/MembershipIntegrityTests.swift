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
        }
    }
}
