import AssayDomain
import Foundation
import Hummingbird

/// Body of `POST /genesets` and `PUT /genesets/{id}`.
struct GenesetRequest: Decodable {
    struct GeneName: Decodable {
        let name: String
    }

    let title: String
    let genes: [GeneName]
    let description: String?
    let collection: Int64?
    /// Store names under their approved symbols (issue 17); `?resolve=` overrides it.
    let resolve: Bool?
    /// The set's species (`human`, `mouse` or a taxid), also the one names are resolved against; when absent, the
    /// collection's, else human on creation and unchanged on replacement.
    let species: String?
    /// `private` or `public`; when absent, private on creation and unchanged on replacement. A set in a collection
    /// has the collection's.
    let visibility: String?
}

/// A gene set as the API shows it.
struct GenesetResponse: ResponseEncodable {
    let id: Int64
    let title: String
    let genes: [GeneResponse]
    let createdAt: Date
    let updatedAt: Date
    let description: String?
    let collection: Int64?
    let species: String
    let owner: String
    let visibility: String

    init(_ set: Geneset) {
        self.id = set.id
        self.title = set.title
        self.genes = set.genes.map(GeneResponse.init)
        self.createdAt = set.createdAt
        self.updatedAt = set.updatedAt
        self.description = set.description
        self.collection = set.collectionID
        self.species = set.species.name
        self.owner = set.owner
        self.visibility = set.visibility.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case id, title, genes, description, collection, species, owner, visibility
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// `description` and `collection` are written as `null` when absent, as ``JSONWriter/geneset(_:)`` does.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(genes, forKey: .genes)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(description, forKey: .description)
        try container.encode(collection, forKey: .collection)
        try container.encode(species, forKey: .species)
        try container.encode(owner, forKey: .owner)
        try container.encode(visibility, forKey: .visibility)
    }
}

/// A gene as the API shows it.
struct GeneResponse: ResponseEncodable {
    let id: Int64
    let name: String

    init(_ gene: Gene) {
        self.id = gene.id
        self.name = gene.name
    }
}

/// One page of a list: `items` and `next_cursor` (null on the last page).
struct PageResponse<Item: Encodable & Sendable>: ResponseEncodable {
    let items: [Item]
    let nextCursor: String?

    init<Source>(_ page: Page<Source>, transform: (Source) -> Item) {
        self.items = page.items.map(transform)
        self.nextCursor = page.nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// A gene and one page of the sets it is in.
struct GeneDetailResponse: ResponseEncodable {
    let id: Int64
    let name: String
    let genesets: [GenesetSummary]
    let nextCursor: String?
    /// How the requested name led to this gene when it is not the gene's own name (an alias in the gene reference).
    var matched: GeneLookupNote?

    init(_ detail: GeneDetail) {
        self.id = detail.gene.id
        self.name = detail.gene.name
        self.genesets = detail.genesets.items
        self.nextCursor = detail.genesets.nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case id, name, genesets, matched
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(genesets, forKey: .genesets)
        try container.encode(nextCursor, forKey: .nextCursor)
        try container.encodeIfPresent(matched, forKey: .matched)
    }
}

/// Ranked gene search results.
struct GeneSearchResponse: ResponseEncodable {
    struct Item: Encodable {
        let id: Int64
        let name: String
        let match: String
        let similarity: Float
    }

    let query: String
    let items: [Item]

    init(query: String, matches: [GeneMatch]) {
        self.query = query
        self.items = matches.map {
            Item(id: $0.gene.id, name: $0.gene.name, match: $0.kind.label, similarity: ($0.similarity * 1000).rounded() / 1000)
        }
    }
}
