public import AssayDomain
import Logging
import NIOCore
import PostgresNIO

/// ``EnrichmentSource`` on Postgres: the catalog version is the sequence `catalog_version` (migration 6), advanced
/// after every committed change of a set; the sets are read in one statement.
public struct PostgresEnrichmentSource: EnrichmentSource {
    let database: PostgresGateway

    /// Creates the source over a database.
    public init(database: PostgresGateway) {
        self.database = database
    }

    public func catalogVersion() async throws -> Int64 {
        try await database.run { client, logger in
            for try await value in try await client.execute(CatalogVersion(), logger: logger) {
                return value
            }
            throw UnexpectedResult(operation: "read the catalog version")
        }
    }

    public func enrichmentSets(collection: Int64?, species: Species) async throws -> [EnrichmentGeneset] {
        // The deadline covers getting a connection and finding the collection; reading a large catalog takes longer.
        try await database.longJob { connection, logger, started in
            if let collection {
                let exists = try await connection.query("SELECT species FROM collections WHERE id = \(collection)", logger: logger)
                var found: Int?
                for try await taxid in exists.decode(Int.self) { found = taxid }
                guard let found else { throw CollectionError.notFound(collection) }
                guard found == species.rawValue else {
                    let collectionSpecies = try Species.stored(found, of: "collection \(collection)")
                    throw CollectionError.speciesMismatch(collection: collection, collectionSpecies: collectionSpecies, species: species)
                }
            }
            guard started() else { throw CancellationError() }
            let rows = try await connection.query(
                """
                SELECT id, title, collection_id, gene_names, owner, visibility FROM genesets
                WHERE species = \(species.rawValue) AND (\(collection)::bigint IS NULL OR collection_id = \(collection)::bigint)
                ORDER BY id
                """, logger: logger)
            var sets: [EnrichmentGeneset] = []
            for try await (id, title, collectionID, names, owner, visibility) in rows.decode(
                (Int64, String, Int64?, ByteBuffer, String, String).self)
            {
                sets.append(
                    EnrichmentGeneset(
                        id: id, title: title, collectionID: collectionID, geneNames: try PostgresArrayColumn.strings(names),
                        ownership: try Ownership.stored(owner: owner, visibility: visibility, of: "set \(id)")))
            }
            return sets
        }
    }

    public func collectionOwnership(id: Int64) async throws -> Ownership? {
        try await database.run { client, logger in try await PostgresGenesetRepository.collectionOwnership(id: id, client: client, logger: logger) }
    }

    /// The catalog version, prepared once per connection: every analysis reads it, and parsing and planning the
    /// statement each time was most of its cost in Postgres.
    struct CatalogVersion: PositionalStatement {
        static let name = "assay_catalog_version"
        // last_value moves only by nextval, which every change calls after its commit (0 before the first).
        static let sql = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM catalog_version"
        static let bindingDataTypes: [PostgresDataType] = []
        typealias Row = Int64

        var parameters: [any PostgresDynamicTypeEncodable] { [] }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }
}
