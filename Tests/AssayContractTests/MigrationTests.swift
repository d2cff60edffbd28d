import AssayDomain
import AssayPostgres
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
            #expect(try await Migrator(client: client, logger: logger).migrate() == [10])
            let tokens = try await PostgresTokenStore(database: PostgresGateway(client: client, logger: logger)).all()
            #expect(tokens.map(\.user) == ["admin", "token-2", "admin"])
        }
    }
}
