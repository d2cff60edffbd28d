import AssayDomain
import Foundation
import Hummingbird

/// Body of `POST /enrichment`.
struct EnrichmentRequest: Decodable {
    /// A background given as genes or as a number.
    enum Background: Decodable {
        case genes([String])
        case size(Int)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let size = try? container.decode(Int.self) {
                self = .size(size)
            } else if let genes = try? container.decode([String].self) {
                self = .genes(genes)
            } else {
                throw DecodingError.typeMismatch(
                    [String].self,
                    DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "must be a list of gene names or a number"))
            }
        }
    }

    let genes: [String]
    let collection: Int64?
    let background: Background?
    let minSize: Int?
    let maxSize: Int?
    let limit: Int?
    /// Resolve the list (and a background of genes) to approved symbols first (issue 17); false when absent.
    let resolve: Bool?
    /// Only sets of this species are tested, and names are resolved against it; `human` when absent.
    let species: String?

    enum CodingKeys: String, CodingKey {
        case genes, collection, background, limit, resolve, species
        case minSize = "min_size"
        case maxSize = "max_size"
    }
}

/// The answer of `POST /enrichment`: the tested sets by p-value, and what was made of the input.
///
/// The route writes it with ``JSONWriter`` (``bytes()``), byte for byte what the API's `JSONEncoder` writes from the
/// `Encodable` conformance: the encoder's generic containers took 13% of a request's CPU for 50 rows.
struct EnrichmentResponse: Encodable, ResponseGenerator {
    struct Term: Encodable {
        let setID: Int64
        let title: String
        let collection: Int64?
        let setSize: Int
        let overlap: Int
        let genes: [String]
        let pValue: Double
        let negLog10PValue: Double
        let adjustedPValue: Double
        let oddsRatio: Double
        let combinedScore: Double

        init(_ term: EnrichmentTerm) {
            setID = term.id
            title = term.title
            collection = term.collectionID
            setSize = term.setSize
            overlap = term.overlap
            genes = term.overlapGenes
            pValue = term.p
            negLog10PValue = -term.logP / 2.302_585_092_994_045_7
            adjustedPValue = term.adjustedP
            oddsRatio = term.oddsRatio
            combinedScore = term.combinedScore
        }

        enum CodingKeys: String, CodingKey {
            case title, collection, overlap, genes
            case setID = "set_id"
            case setSize = "set_size"
            case pValue = "p_value"
            case negLog10PValue = "neg_log10_p_value"
            case adjustedPValue = "adjusted_p_value"
            case oddsRatio = "odds_ratio"
            case combinedScore = "combined_score"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(setID, forKey: .setID)
            try container.encode(title, forKey: .title)
            try container.encode(collection, forKey: .collection)
            try container.encode(setSize, forKey: .setSize)
            try container.encode(overlap, forKey: .overlap)
            try container.encode(genes, forKey: .genes)
            try container.encode(pValue, forKey: .pValue)
            try container.encode(negLog10PValue, forKey: .negLog10PValue)
            try container.encode(adjustedPValue, forKey: .adjustedPValue)
            try container.encode(oddsRatio, forKey: .oddsRatio)
            try container.encode(combinedScore, forKey: .combinedScore)
        }
    }

    let collection: Int64?
    let backgroundSize: Int
    let listSize: Int
    let tested: Int
    /// Which sets were candidates: every set for an admin, else the public ones and the caller's own.
    let testedAmong: String
    let results: [Term]
    let unmapped: [String]
    let unannotated: [String]
    let duplicates: [String]
    /// What resolution made of the list and of a background of genes, when asked for.
    var resolution: GeneRenamingResponse?
    var backgroundResolution: GeneRenamingResponse?
    let species: String

    init(_ result: EnrichmentResult, collection: Int64?, species: Species, viewer: Viewer) {
        self.collection = collection
        self.testedAmong = viewer.isAdmin ? "every set (admin)" : "public sets and \(viewer.user)'s own"
        self.species = species.name
        backgroundSize = result.backgroundSize
        listSize = result.listSize
        tested = result.testedSetCount
        results = result.terms.map(Term.init)
        unmapped = result.unmapped
        unannotated = result.unannotated
        duplicates = result.duplicates
    }

    enum CodingKeys: String, CodingKey {
        case collection, species, tested, results, unmapped, unannotated, duplicates, resolution
        case backgroundResolution = "background_resolution"
        case backgroundSize = "background_size"
        case listSize = "list_size"
        case testedAmong = "tested_among"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(collection, forKey: .collection)
        try container.encode(species, forKey: .species)
        try container.encode(backgroundSize, forKey: .backgroundSize)
        try container.encode(listSize, forKey: .listSize)
        try container.encode(tested, forKey: .tested)
        try container.encode(testedAmong, forKey: .testedAmong)
        try container.encode(results, forKey: .results)
        try container.encode(unmapped, forKey: .unmapped)
        try container.encode(unannotated, forKey: .unannotated)
        try container.encode(duplicates, forKey: .duplicates)
        try container.encodeIfPresent(resolution, forKey: .resolution)
        try container.encodeIfPresent(backgroundResolution, forKey: .backgroundResolution)
    }
}

extension EnrichmentResponse {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: try bytes()))
    }

    /// The JSON document, keys in sorted order as the API's encoder writes them. The resolution reports, rare and
    /// small, are written by that encoder.
    func bytes() throws -> ByteBuffer {
        var writer = JSONWriter(capacity: 512 + results.count * 384)
        writer.raw("{")
        if let backgroundResolution {
            writer.raw("\"background_resolution\":")
            try writer.encoded(backgroundResolution)
            writer.raw(",")
        }
        writer.raw("\"background_size\":")
        writer.integer(Int64(backgroundSize))
        writer.raw(",\"collection\":")
        if let collection { writer.integer(collection) } else { writer.raw("null") }
        writer.raw(",\"duplicates\":")
        writer.strings(duplicates)
        writer.raw(",\"list_size\":")
        writer.integer(Int64(listSize))
        if let resolution {
            writer.raw(",\"resolution\":")
            try writer.encoded(resolution)
        }
        writer.raw(",\"results\":[")
        for (index, term) in results.enumerated() {
            writer.raw(index == 0 ? "{\"adjusted_p_value\":" : ",{\"adjusted_p_value\":")
            writer.numberOrNull(term.adjustedPValue)
            writer.raw(",\"collection\":")
            if let collection = term.collection { writer.integer(collection) } else { writer.raw("null") }
            writer.raw(",\"combined_score\":")
            writer.numberOrNull(term.combinedScore)
            writer.raw(",\"genes\":")
            writer.strings(term.genes)
            writer.raw(",\"neg_log10_p_value\":")
            writer.numberOrNull(term.negLog10PValue)
            writer.raw(",\"odds_ratio\":")
            writer.numberOrNull(term.oddsRatio)
            writer.raw(",\"overlap\":")
            writer.integer(Int64(term.overlap))
            writer.raw(",\"p_value\":")
            writer.numberOrNull(term.pValue)
            writer.raw(",\"set_id\":")
            writer.integer(term.setID)
            writer.raw(",\"set_size\":")
            writer.integer(Int64(term.setSize))
            writer.raw(",\"title\":")
            writer.string(term.title)
            writer.raw("}")
        }
        writer.raw("],\"species\":")
        writer.string(species)
        writer.raw(",\"tested\":")
        writer.integer(Int64(tested))
        writer.raw(",\"tested_among\":")
        writer.string(testedAmong)
        writer.raw(",\"unannotated\":")
        writer.strings(unannotated)
        writer.raw(",\"unmapped\":")
        writer.strings(unmapped)
        writer.raw("}")
        return writer.buffer
    }
}
