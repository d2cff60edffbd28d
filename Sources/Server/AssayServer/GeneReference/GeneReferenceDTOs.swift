import AssayDomain
import Hummingbird
import NIOCore

/// Body of `POST /genes/resolve`: names and a species (`human` when absent).
struct GeneResolutionRequestBody: Decodable {
    let genes: [String]
    let species: String?
}

extension JSONWriter {
    /// A resolved gene: `{"ensembl_ids": [...], "symbol": "..."}`.
    mutating func resolvedGene(_ gene: ResolvedGene) {
        raw("{\"ensembl_ids\":[")
        for (index, id) in gene.ensemblIDs.enumerated() {
            if index > 0 { raw(",") }
            string(id)
        }
        raw("],\"symbol\":")
        string(gene.symbol)
        raw("}")
    }

    /// One input's resolution: candidates, Ensembl ids, input, status and symbol (null unless approved or alias).
    mutating func geneResolution(_ resolution: GeneResolution) {
        raw("{\"candidates\":[")
        for (index, candidate) in resolution.candidates.enumerated() {
            if index > 0 { raw(",") }
            resolvedGene(candidate)
        }
        raw("],\"ensembl_ids\":[")
        for (index, id) in (resolution.gene?.ensemblIDs ?? []).enumerated() {
            if index > 0 { raw(",") }
            string(id)
        }
        raw("],\"input\":")
        string(resolution.input)
        raw(",\"status\":")
        string(resolution.status.rawValue)
        raw(",\"symbol\":")
        stringOrNull(resolution.gene?.symbol)
        raw("}")
    }

    /// `[0, 4]`.
    mutating func positions(_ positions: [Int]) {
        raw("[")
        for (index, position) in positions.enumerated() {
            if index > 0 { raw(",") }
            integer(Int64(position))
        }
        raw("]")
    }

    /// Counts by status, every status present: `{"alias": 1, "ambiguous": 0, "approved": 2, "not_found": 0}`.
    mutating func resolutionCounts(_ counts: [GeneResolutionStatus: Int]) {
        raw("{\"alias\":")
        integer(Int64(counts[.alias] ?? 0))
        raw(",\"ambiguous\":")
        integer(Int64(counts[.ambiguous] ?? 0))
        raw(",\"approved\":")
        integer(Int64(counts[.approved] ?? 0))
        raw(",\"not_found\":")
        integer(Int64(counts[.notFound] ?? 0))
        raw("}")
    }
}

/// The answer of `POST /genes/resolve`, written with ``JSONWriter`` (a request may hold 20,000 names):
/// `collisions`, `counts`, `duplicates`, `results` (one per input, in order), `species`, `taxid`.
struct GeneResolutionBody: ResponseGenerator {
    let report: GeneResolutionReport

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: bytes()))
    }

    func bytes() -> ByteBuffer {
        var writer = JSONWriter(capacity: 128 + report.results.count * 96)
        writer.raw("{\"collisions\":[")
        for (index, collision) in report.collisions.enumerated() {
            writer.raw(index == 0 ? "{\"positions\":" : ",{\"positions\":")
            writer.positions(collision.positions)
            writer.raw(",\"symbol\":")
            writer.string(collision.symbol)
            writer.raw("}")
        }
        writer.raw("],\"counts\":")
        writer.resolutionCounts(report.counts)
        writer.raw(",\"duplicates\":[")
        for (index, duplicate) in report.duplicates.enumerated() {
            writer.raw(index == 0 ? "{\"name\":" : ",{\"name\":")
            writer.string(duplicate.name)
            writer.raw(",\"positions\":")
            writer.positions(duplicate.positions)
            writer.raw("}")
        }
        writer.raw("],\"results\":[")
        for (index, resolution) in report.results.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.geneResolution(resolution)
        }
        writer.raw("],\"species\":")
        writer.string(report.species.name)
        writer.raw(",\"taxid\":")
        writer.integer(Int64(report.species.taxid))
        writer.raw("}")
        return writer.buffer
    }
}

/// What a `resolve=true` write did to its gene names (`gene_resolution` in gene-set and GMT answers, `resolution` in
/// enrichment): names stored under their approved symbol, names merged into an earlier one, ambiguous and unknown
/// names stored as given.
struct GeneRenamingResponse: Encodable {
    struct Change: Encodable {
        let input: String
        let symbol: String
        let status: String
    }

    struct Ambiguous: Encodable {
        struct Candidate: Encodable {
            let symbol: String
            let ensemblIDs: [String]

            enum CodingKeys: String, CodingKey {
                case symbol
                case ensemblIDs = "ensembl_ids"
            }
        }

        let input: String
        let candidates: [Candidate]
    }

    let species: String
    let changed: [Change]
    let merged: [Change]
    let ambiguous: [Ambiguous]
    let notFound: [String]

    init(_ renaming: GeneRenaming, species: Species) {
        self.species = species.name
        changed = renaming.changes.map { Change(input: $0.input, symbol: $0.symbol, status: $0.status.rawValue) }
        merged = renaming.merged.map { Change(input: $0.input, symbol: $0.symbol, status: $0.status.rawValue) }
        ambiguous = renaming.ambiguous.map { resolution in
            Ambiguous(
                input: resolution.input, candidates: resolution.candidates.map { Ambiguous.Candidate(symbol: $0.symbol, ensemblIDs: $0.ensemblIDs) })
        }
        notFound = renaming.notFound
    }

    enum CodingKeys: String, CodingKey {
        case species, changed, merged, ambiguous
        case notFound = "not_found"
    }
}
