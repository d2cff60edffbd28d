import AssayDomain
import Hummingbird

/// `matched` in `GET /genes/{name}` when the name is not a stored gene but the gene reference leads to one:
/// `{"input": "KIAA1429", "status": "alias", "symbol": "VIRMA", "species": "human"}`.
struct GeneLookupNote: Encodable {
    let input: String
    let status: String
    let symbol: String
    let species: String
}

/// A gene set written with `resolve=true`: the set as ``GenesetResponse`` shows it plus `gene_resolution`. Without
/// resolution the body is exactly ``GenesetResponse``'s.
struct GenesetWriteResponse: ResponseEncodable {
    let set: GenesetResponse
    let resolution: GeneRenamingResponse?

    enum CodingKeys: String, CodingKey {
        case resolution = "gene_resolution"
    }

    func encode(to encoder: any Encoder) throws {
        try set.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(resolution, forKey: .resolution)
    }
}

extension GeneNames {
    /// Names to store for a `resolve=true` write, and what was made of them; validation errors name the body's fields
    /// (`genes[2].name`).
    func renaming(_ names: [String], species: String?, field: (Int) -> String) async throws -> (GeneRenaming, Species) {
        let report: GeneResolutionReport
        do {
            report = try await resolve(names, species: species)
        } catch let error as ValidationError {
            throw ValidationError(
                error.errors.map { error in
                    guard error.field.hasPrefix("genes["), let index = Int(error.field.dropFirst(6).dropLast()) else { return error }
                    return FieldError(field: field(index), reason: error.reason)
                })
        }
        return (GeneRenaming(report), report.species)
    }
}
