import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Testing

/// Text no store can hold (NUL: Postgres `text` refuses it) is refused by the Domain's validation before any adapter
/// sees it, so every adapter answers the same validation error instead of Postgres failing and memory storing it.
@Suite("Storable text contract")
struct StorableTextContract {
    @Test(arguments: RepositoryFactory.all)
    func catalogRefusesNULInEveryTextInput(factory: RepositoryFactory) async throws {
        try await factory.use { repository in try await Self.catalogRefusesNUL(repository) }
    }

    private static func catalogRefusesNUL(_ repository: some GenesetRepository) async throws {
        do {
            let catalog = GenesetCatalog(repository: repository)
            _ = try await catalog.create(title: "Great Genes", geneNames: ["BRCA1"])
            let refusals: [(field: String, call: @Sendable () async throws -> Void)] = [
                ("pattern", { _ = try await catalog.searchTitles("\0", limit: nil, cursor: nil) }),
                ("pattern", { _ = try await catalog.searchTitles("a\0b", limit: nil, cursor: nil) }),
                ("q", { _ = try await catalog.list(limit: nil, cursor: nil, titleContains: "\0") }),
                ("gene", { _ = try await catalog.list(limit: nil, cursor: nil, gene: "\0") }),
                ("name", { _ = try await catalog.gene(named: "\0", limit: nil, cursor: nil) }),
                ("name", { _ = try await catalog.gene(named: "BRCA1\0", limit: nil, cursor: nil) }),
                ("q", { _ = try await catalog.searchGenes("\0", limit: nil) }),
                ("q", { _ = try await catalog.searchGenes("BR\0CA", limit: nil) }),
                ("title", { _ = try await catalog.create(title: "a\0b", geneNames: ["TP53"]) }),
                ("genes[0].name", { _ = try await catalog.create(title: "t", geneNames: ["TP\0"]) }),
            ]
            for (field, call) in refusals {
                await #expect(throws: ValidationError.self, "\(field)") {
                    do { try await call() } catch let error as ValidationError {
                        #expect(error.errors.map(\.field) == [field])
                        throw error
                    }
                }
            }
        }
    }

    @Test(arguments: TokenStoreFactory.all)
    func tokenNamesRefuseNUL(factory: TokenStoreFactory) async throws {
        try await factory.use { store in try await Self.tokenNamesRefuseNUL(store) }
    }

    private static func tokenNamesRefuseNUL(_ store: some TokenStore) async throws {
        do {
            let tokens = TokenService(store: store, hasher: NULTestHasher())
            await #expect(throws: ValidationError([FieldError(field: "name", reason: "must not contain the NUL character (U+0000)")])) {
                _ = try await tokens.issue(name: "ci\0", user: "ci", scopes: [.read])
            }
            #expect(try await store.count() == 0)
        }
    }

    /// A `users.csv` name with a NUL is a rejected row naming file, line and column: a failed run in strict mode,
    /// the row skipped in lenient mode, and never a failure at publication.
    @Test(arguments: FeatureStoreFactory.all)
    func etlRejectsNULValuesAsRows(factory: FeatureStoreFactory) async throws {
        try await factory.use { store in try await Self.etlRejectsNUL(store) }
    }

    private static func etlRejectsNUL(_ store: some FeatureStore) async throws {
        do {
            let etl = FeatureETL(store: store)
            let files: [ETLFile: String] = [
                .users: "user_id,name,email,signup_date\n1,Ann,ann@lab.org,2024-01-01\n2,B\0n,ben@lab.org,2024-01-02\n3\0,Cy,cy@lab.org,2024-01-03\n",
                .compounds: "compound_id,compound_name,compound_structure\n1,A,H2O\n",
                .experiments: "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n1,1,1,10\n",
            ]
            let strict = try await etl.run(InMemoryETLInput(texts: files), mode: .strict)
            #expect(strict.status == .failed)
            #expect(
                strict.errors == [
                    ETLIssue(file: "users.csv", line: 3, column: "name", reason: "must not contain the NUL character (U+0000)"),
                    ETLIssue(file: "users.csv", line: 4, column: "user_id", reason: #"'3\0' is not a non-negative integer"#),
                ])
            #expect(try await store.run(id: strict.id)?.errors == strict.errors)

            let lenient = try await etl.run(InMemoryETLInput(texts: files), mode: .lenient)
            #expect(lenient.status == .success, "\(lenient)")
            #expect(try await etl.features(limit: nil, cursor: nil).items.map(\.userID) == [1])
        }
    }
}

/// A stand-in for SHA-256 (the Domain does no cryptography): the secret's first 32 bytes, padded.
private struct NULTestHasher: TokenHasher {
    func hash(_ secret: String) -> [UInt8] { Array((Array(secret.utf8) + Array(repeating: 0, count: 32)).prefix(32)) }
}
