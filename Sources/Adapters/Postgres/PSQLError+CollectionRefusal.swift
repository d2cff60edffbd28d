import AssayDomain
import PostgresNIO

extension PSQLError {
    /// The collection rule a refused write broke, as the Domain's error: an unknown collection (foreign key) or a set
    /// name already in it (the unique index `genesets_collection_title`); `nil` for anything else, including a species
    /// other than the collection's (see ``isSpeciesRefusal``).
    func collectionRefusal(collectionID: Int64, name: String) -> CollectionError? {
        guard code == .server, let state = serverInfo?[.sqlState] else { return nil }
        let constraint = serverInfo?[.constraintName] ?? ""
        switch state {
        case "23503" where constraint == "genesets_species_fkey": return nil
        case "23503" where constraint.contains("collection"): return .notFound(collectionID)
        case "23505" where constraint == "genesets_collection_title": return .setNameTaken(collection: collectionID, name: name)
        default: return nil
        }
    }

    /// Whether the write gave a set in a collection another species than the collection's (`genesets_species_fkey`);
    /// the caller reads the collection to say which species it holds, or that it is gone.
    var isSpeciesRefusal: Bool {
        code == .server && serverInfo?[.sqlState] == "23503" && serverInfo?[.constraintName] == "genesets_species_fkey"
    }
}
