import AssayDomain
import Foundation
import Hummingbird

/// Body of `POST /collections`.
struct CollectionRequest: Decodable {
    let name: String
    let description: String?
    /// The species of the sets it will hold (`human`, `mouse` or a taxid); human when absent.
    let species: String?
    /// `private` (the default) or `public`; its sets share it.
    let visibility: String?
}

/// Body of `PATCH /collections/{id}`.
struct CollectionUpdate: Decodable {
    /// `private` or `public`.
    let visibility: String?
}

/// A collection as the API shows it.
struct CollectionResponse: ResponseEncodable {
    let id: Int64
    let name: String
    let description: String
    let createdAt: Date
    let setCount: Int
    let geneCount: Int
    let species: String
    let owner: String
    let visibility: String

    init(_ collection: GenesetCollection) {
        id = collection.id
        name = collection.name
        description = collection.description
        createdAt = collection.createdAt
        setCount = collection.setCount
        geneCount = collection.geneCount
        species = collection.species.name
        owner = collection.owner
        visibility = collection.visibility.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, species, owner, visibility
        case createdAt = "created_at"
        case setCount = "set_count"
        case geneCount = "gene_count"
    }
}

/// What `POST /collections/{id}/gmt` did.
struct GMTImportResponse: ResponseEncodable {
    struct Line: Encodable {
        let line: Int
        let setName: String?
        let reason: String

        init(_ problem: GMTProblem) {
            line = problem.line
            setName = problem.setName
            reason = problem.reason
        }

        enum CodingKeys: String, CodingKey {
            case line, reason
            case setName = "set_name"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(line, forKey: .line)
            try container.encode(setName, forKey: .setName)
            try container.encode(reason, forKey: .reason)
        }
    }

    let collection: CollectionResponse
    let mode: String
    let imported: Int
    let memberships: Int
    let skipped: Int
    let problems: [Line]
    let duplicateGenes: [Line]
    let resolution: GMTRenamingResponse?

    init(_ report: GMTImportReport, collection: GenesetCollection, mode: GMTImportMode) {
        self.collection = CollectionResponse(collection)
        self.mode = mode.rawValue
        imported = report.imported
        memberships = report.memberships
        skipped = report.skipped
        problems = report.problems.map(Line.init)
        duplicateGenes = report.duplicateGenes.map(Line.init)
        resolution = report.resolution.map(GMTRenamingResponse.init)
    }

    enum CodingKeys: String, CodingKey {
        case collection, mode, imported, memberships, skipped, problems, resolution
        case duplicateGenes = "duplicate_genes"
    }
}

/// What `resolve=true` did to a GMT import's names: counts, and the first examples of each kind.
struct GMTRenamingResponse: Encodable {
    struct Example: Encodable {
        let set: String
        let input: String
        let symbol: String?
        let candidates: [String]?

        init(_ example: GMTRenamingSummary.Example) {
            set = example.setName
            input = example.input
            symbol = example.symbol
            candidates = example.candidates.isEmpty ? nil : example.candidates
        }
    }

    let species: String
    let counts: [String: Int]
    let changed: [Example]
    let merged: [Example]
    let ambiguous: [Example]
    let notFound: [Example]

    init(_ summary: GMTRenamingSummary) {
        species = summary.species.name
        counts = ["changed": summary.changed, "merged": summary.merged, "ambiguous": summary.ambiguous, "not_found": summary.notFound]
        changed = summary.changes.map(Example.init)
        merged = summary.merges.map(Example.init)
        ambiguous = summary.ambiguities.map(Example.init)
        notFound = summary.unknown.map(Example.init)
    }

    enum CodingKeys: String, CodingKey {
        case species, counts, changed, merged, ambiguous
        case notFound = "not_found"
    }
}
