import AssayDomain
import Hummingbird

/// `POST /enrichment`: over-representation analysis of a gene list against a collection or the whole catalog.
struct EnrichmentController<Source: EnrichmentSource> {
    let service: EnrichmentService<Source>
    /// Gene-name resolution for `"resolve": true`; `nil` turns it off.
    var geneNames: GeneNames? = nil

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/enrichment", use: enrich)
        return routes
    }

    @Sendable func enrich(_ request: Request, context: AppRequestContext) async throws -> EnrichmentResponse {
        let body = try await request.decodeJSON(as: EnrichmentRequest.self, context: context)
        var genes = body.genes
        var resolutions: (list: GeneRenamingResponse, background: GeneRenamingResponse?)?
        var resolvedBackground: [String]?
        let species = try Species.requested(body.species) ?? .human
        if body.resolve ?? false, !genes.isEmpty {
            guard let geneNames else { throw Problem(.serviceUnavailable, detail: "gene-name resolution is not available on this server") }
            let (list, _) = try await geneNames.renaming(genes, species: species.name) { "genes[\($0)]" }
            genes = list.names
            resolutions = (GeneRenamingResponse(list, species: species), nil)
            if case .genes(let names) = body.background, !names.isEmpty {
                let (background, _) = try await geneNames.renaming(names, species: species.name) { "background[\($0)]" }
                resolutions?.background = GeneRenamingResponse(background, species: species)
                resolvedBackground = background.names
            }
        }
        let background: EnrichmentQuery.Background =
            switch body.background {
            case nil: .sets
            case .genes(let names): .genes(resolvedBackground ?? names)
            case .size(let size): .size(size)
            }
        if let collection = body.collection, collection <= 0 {
            throw ValidationError([FieldError(field: "collection", reason: "must be a positive collection id")])
        }
        let query = try EnrichmentQuery(
            genes: genes, background: background, minimumSetSize: body.minSize ?? 1, maximumSetSize: body.maxSize,
            limit: body.limit ?? EnrichmentRules.defaultLimit)
        var response = EnrichmentResponse(
            try await service.analyse(query, collection: body.collection, species: species, as: context.viewer), collection: body.collection,
            species: species, viewer: context.viewer)
        response.resolution = resolutions?.list
        response.backgroundResolution = resolutions?.background
        return response
    }
}
