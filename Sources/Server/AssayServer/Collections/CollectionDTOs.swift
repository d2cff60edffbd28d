import AssayDomain
import Foundation
import Hummingbird

/// Body of `POST /collections`.
struct CollectionRequest: Decodable {
    let name: String
    let description: String?
}

/// A collection as the API shows it.
struct CollectionResponse: ResponseEncodable {
    let id: Int64
    let name: String
    let description: String
    let createdAt: Date
    let setCount: Int
    let geneCount: Int

    init(_ collection: GenesetCollection) {
        id = collection.id
        name = collection.name
        description = collection.description
        createdAt = collection.createdAt
        setCount = collection.setCount
        geneCount = collection.geneCount
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description
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

    init(_ report: GMTImportReport, collection: GenesetCollection, mode: GMTImportMode) {
        self.collection = CollectionResponse(collection)
        self.mode = mode.rawValue
        imported = report.imported
        memberships = report.memberships
        skipped = report.skipped
        problems = report.problems.map(Line.init)
        duplicateGenes = report.duplicateGenes.map(Line.init)
    }

    enum CodingKeys: String, CodingKey {
        case collection, mode, imported, memberships, skipped, problems
        case duplicateGenes = "duplicate_genes"
    }
}
