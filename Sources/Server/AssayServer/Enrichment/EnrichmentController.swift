import AssayDomain
import Hummingbird

/// `POST /enrichment`: over-representation analysis of a gene list against a collection or the whole catalog.
struct EnrichmentController<Source: EnrichmentSource> {
    let service: EnrichmentService<Source>

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/enrichment", use: enrich)
        return routes
    }

    @Sendable func enrich(_ request: Request, context: AppRequestContext) async throws -> EnrichmentResponse {
        let body = try await request.decodeJSON(as: EnrichmentRequest.self, context: context)
        let background: EnrichmentQuery.Background =
            switch body.background {
            case nil: .sets
            case .genes(let genes): .genes(genes)
            case .size(let size): .size(size)
            }
        if let collection = body.collection, collection <= 0 {
            throw ValidationError([FieldError(field: "collection", reason: "must be a positive collection id")])
        }
        let query = try EnrichmentQuery(
            genes: body.genes, background: background, minimumSetSize: body.minSize ?? 1, maximumSetSize: body.maxSize,
            limit: body.limit ?? EnrichmentRules.defaultLimit)
        return EnrichmentResponse(try await service.analyse(query, collection: body.collection), collection: body.collection)
    }
}
