import AssayDomain
import Hummingbird

/// The gene-catalog routes of SPEC §2, generic over the repository adapter.
struct GenesetController<Repository: GenesetRepository> {
    let catalog: GenesetCatalog<Repository>

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/genesets", use: create)
        routes.get("/genesets", use: list)
        routes.get("/genesets/search/**", use: searchTitles)
        routes.get("/genesets/{id}", use: read)
        routes.put("/genesets/{id}", use: replace)
        routes.delete("/genesets/{id}", use: delete)
        routes.get("/genes", use: genes)
        routes.get("/genes/search", use: searchGenesByQuery)
        routes.get("/genes/search/**", use: searchGenesByPath)
        routes.get("/genes/{name}", use: gene)
        return routes
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<GenesetResponse> {
        let body = try await request.decodeJSON(as: GenesetRequest.self, context: context)
        let set = try await catalog.create(
            title: body.title, geneNames: body.genes.map(\.name), description: body.description, collectionID: body.collection)
        return EditedResponse(status: .created, headers: [.location: "/genesets/\(set.id)"], response: GenesetResponse(set))
    }

    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> GenesetResponse {
        GenesetResponse(try await catalog.geneset(id: try context.parameters.id()))
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> GenesetResponse {
        let id = try context.parameters.id()
        let body = try await request.decodeJSON(as: GenesetRequest.self, context: context)
        return GenesetResponse(
            try await catalog.replace(
                id: id, title: body.title, geneNames: body.genes.map(\.name), description: body.description, collectionID: body.collection))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        try await catalog.delete(id: try context.parameters.id())
        return .noContent
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> GenesetPageBody {
        let page = try await catalog.list(
            limit: try request.integerQuery("limit"),
            cursor: request.stringQuery("cursor"),
            titleContains: request.stringQuery("q"),
            gene: request.stringQuery("gene"),
            collectionID: try request.positiveIDQuery("collection")
        )
        return GenesetPageBody(page: page)
    }

    @Sendable func searchTitles(_ request: Request, context: AppRequestContext) async throws -> GenesetPageBody {
        let page = try await catalog.searchTitles(
            try context.parameters.decodedCatchAll(),
            limit: try request.integerQuery("limit"),
            cursor: request.stringQuery("cursor")
        )
        return GenesetPageBody(page: page)
    }

    @Sendable func genes(_ request: Request, context: AppRequestContext) async throws -> PageResponse<GeneResponse> {
        let page = try await catalog.genes(limit: try request.integerQuery("limit"), cursor: request.stringQuery("cursor"))
        return PageResponse(page, transform: GeneResponse.init)
    }

    @Sendable func gene(_ request: Request, context: AppRequestContext) async throws -> GeneDetailResponse {
        let detail = try await catalog.gene(
            named: try context.parameters.decoded("name"),
            limit: try request.integerQuery("limit"),
            cursor: request.stringQuery("cursor")
        )
        return GeneDetailResponse(detail)
    }

    @Sendable func searchGenesByQuery(_ request: Request, context: AppRequestContext) async throws -> GeneSearchResponse {
        try await searchGenes(request.stringQuery("q") ?? "", request: request)
    }

    @Sendable func searchGenesByPath(_ request: Request, context: AppRequestContext) async throws -> GeneSearchResponse {
        try await searchGenes(try context.parameters.decodedCatchAll(), request: request)
    }

    private func searchGenes(_ query: String, request: Request) async throws -> GeneSearchResponse {
        let matches = try await catalog.searchGenes(query, limit: try request.integerQuery("limit"))
        return GeneSearchResponse(query: query, matches: matches)
    }
}
