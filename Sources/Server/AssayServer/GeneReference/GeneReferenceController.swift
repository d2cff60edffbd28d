import AssayDomain
import Hummingbird

/// `POST /genes/resolve`: gene names to approved symbols and Ensembl ids, with how each matched (issue 17).
struct GeneReferenceController<Store: GeneReferenceStore> {
    let resolver: GeneResolver<Store>

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/genes/resolve", use: resolve)
        return routes
    }

    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> GeneResolutionBody {
        let body = try await request.decodeJSON(as: GeneResolutionRequestBody.self, context: context)
        return GeneResolutionBody(report: try await resolver.resolve(genes: body.genes, species: body.species ?? Species.human.name))
    }
}
