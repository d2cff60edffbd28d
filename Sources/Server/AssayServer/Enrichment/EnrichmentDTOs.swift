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
struct EnrichmentResponse: ResponseEncodable {
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
