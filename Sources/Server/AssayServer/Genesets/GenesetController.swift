import AssayDomain
import Hummingbird

/// The gene-catalog routes of SPEC §2, generic over the repository adapter.
struct GenesetController<Repository: GenesetRepository> {
    let catalog: GenesetCatalog<Repository>
    /// Gene-name resolution for `resolve=true` and alias lookups; `nil` turns both off.
    var geneNames: GeneNames? = nil
    /// The species of a collection, for resolving names of a set created in it without a species.
    var collectionSpecies: (@Sendable (Int64) async throws -> Species)? = nil

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

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<GenesetWriteResponse> {
        let body = try await request.decodeJSON(as: GenesetRequest.self, context: context)
        let (names, resolution) = try await geneNames(of: body, request: request)
        let set = try await catalog.create(
            title: body.title, geneNames: names, description: body.description, collectionID: body.collection,
            species: try Species.requested(body.species), visibility: try Visibility.requested(body.visibility), as: context.viewer)
        return EditedResponse(
            status: .created, headers: [.location: "/genesets/\(set.id)"],
            response: GenesetWriteResponse(set: GenesetResponse(set), resolution: resolution))
    }

    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> GenesetResponse {
        GenesetResponse(try await catalog.geneset(id: try context.parameters.id(), as: context.viewer))
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> GenesetWriteResponse {
        let id = try context.parameters.id()
        let body = try await request.decodeJSON(as: GenesetRequest.self, context: context)
        let (names, resolution) = try await geneNames(of: body, request: request)
        let set = try await catalog.replace(
            id: id, title: body.title, geneNames: names, description: body.description, collectionID: body.collection,
            species: try Species.requested(body.species), visibility: try Visibility.requested(body.visibility), as: context.viewer)
        return GenesetWriteResponse(set: GenesetResponse(set), resolution: resolution)
    }

    /// The names to store: as given, or with `resolve=true` under their approved symbols, with what changed.
    private func geneNames(of body: GenesetRequest, request: Request) async throws -> ([String], GeneRenamingResponse?) {
        let given = body.genes.map(\.name)
        // An empty list is left to the catalog, which explains what a set needs.
        guard try GeneNames.isRequested(request, body: body.resolve), !given.isEmpty else { return (given, nil) }
        guard let geneNames else { throw Problem(.serviceUnavailable, detail: "gene-name resolution is not available on this server") }
        // Resolved against the set's species: the one given, else its collection's, else human.
        var species = try Species.requested(body.species)
        if species == nil, let collection = body.collection, let collectionSpecies { species = try await collectionSpecies(collection) }
        let (renaming, resolved) = try await geneNames.renaming(given, species: species?.name) { "genes[\($0)].name" }
        return (renaming.names, GeneRenamingResponse(renaming, species: resolved))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        try await catalog.delete(id: try context.parameters.id(), as: context.viewer)
        return .noContent
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> GenesetPageBody {
        let page = try await catalog.list(
            limit: try request.integerQuery("limit"),
            cursor: request.stringQuery("cursor"),
            titleContains: request.stringQuery("q"),
            gene: request.stringQuery("gene"),
            collectionID: try request.positiveIDQuery("collection"),
            owner: context.viewer.owner(requested: request.stringQuery("owner")),
            visibility: try Visibility.requested(request.stringQuery("visibility")),
            as: context.viewer
        )
        return GenesetPageBody(page: page)
    }

    @Sendable func searchTitles(_ request: Request, context: AppRequestContext) async throws -> GenesetPageBody {
        let page = try await catalog.searchTitles(
            try context.parameters.decodedCatchAll(),
            limit: try request.integerQuery("limit"),
            cursor: request.stringQuery("cursor"),
            as: context.viewer
        )
        return GenesetPageBody(page: page)
    }

    @Sendable func genes(_ request: Request, context: AppRequestContext) async throws -> PageResponse<GeneResponse> {
        let page = try await catalog.genes(limit: try request.integerQuery("limit"), cursor: request.stringQuery("cursor"), as: context.viewer)
        return PageResponse(page, transform: GeneResponse.init)
    }

    @Sendable func gene(_ request: Request, context: AppRequestContext) async throws -> GeneDetailResponse {
        let name = try context.parameters.decoded("name")
        let (limit, cursor) = (try request.integerQuery("limit"), request.stringQuery("cursor"))
        do {
            return GeneDetailResponse(try await catalog.gene(named: name, limit: limit, cursor: cursor, as: context.viewer))
        } catch GenesetError.geneNotFound(let missing) {
            // Not a stored name: the gene reference may know it as another name of a stored gene (KIAA1429 → VIRMA).
            guard let geneNames, let report = try? await geneNames.resolve([name], species: request.stringQuery("species")),
                let resolution = report.results.first
            else { throw GenesetError.geneNotFound(missing) }
            switch resolution.status {
            case .alias, .approved:
                guard let symbol = resolution.gene?.symbol, GenesetRules.key(forGeneName: symbol) != GenesetRules.key(forGeneName: name) else {
                    throw GenesetError.geneNotFound(missing)
                }
                var response = GeneDetailResponse(try await catalog.gene(named: symbol, limit: limit, cursor: cursor, as: context.viewer))
                response.matched = GeneLookupNote(
                    input: name, status: resolution.status.rawValue, symbol: symbol, species: report.species.name)
                return response
            case .ambiguous:
                let candidates = resolution.candidates.map(\.symbol).joined(separator: ", ")
                throw Problem(.notFound, detail: "no gene named '\(name)'; in the gene reference it is ambiguous: \(candidates)")
            case .notFound:
                throw GenesetError.geneNotFound(missing)
            }
        }
    }

    @Sendable func searchGenesByQuery(_ request: Request, context: AppRequestContext) async throws -> GeneSearchResponse {
        try await searchGenes(request.stringQuery("q") ?? "", request: request, viewer: context.viewer)
    }

    @Sendable func searchGenesByPath(_ request: Request, context: AppRequestContext) async throws -> GeneSearchResponse {
        try await searchGenes(try context.parameters.decodedCatchAll(), request: request, viewer: context.viewer)
    }

    private func searchGenes(_ query: String, request: Request, viewer: Viewer) async throws -> GeneSearchResponse {
        let matches = try await catalog.searchGenes(query, limit: try request.integerQuery("limit"), as: viewer)
        return GeneSearchResponse(query: query, matches: matches)
    }
}
