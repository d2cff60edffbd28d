import AssayDomain
import Hummingbird

/// The product-analytics routes of SPEC §4, generic over the repository adapter.
struct ProductController<Repository: ProductRepository> {
    let analytics: ProductAnalytics<Repository>

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/products", use: create)
        routes.get("/products", use: list)
        routes.get("/products/top", use: top)
        routes.get("/products/{id}", use: read)
        routes.post("/products/{id}/views", use: recordView)
        routes.post("/products/{id}/costs", use: recordCost)
        routes.get("/products/{id}/analytics", use: productAnalytics)
        return routes
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ProductResponse> {
        let body = try await request.decodeJSON(as: ProductRequest.self, context: context)
        let product = try await analytics.create(name: body.name, category: body.category, price: body.price)
        return EditedResponse(status: .created, headers: [.location: "/products/\(product.id)"], response: ProductResponse(product))
    }

    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> ProductResponse {
        ProductResponse(try await analytics.product(id: try context.parameters.id()))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> PageResponse<ProductResponse> {
        let page = try await analytics.list(limit: try request.integerQuery("limit"), cursor: request.stringQuery("cursor"))
        return PageResponse(page, transform: ProductResponse.init)
    }

    @Sendable func recordView(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ViewResponse> {
        let id = try context.parameters.id()
        let body = try await request.decodeJSON(as: ViewRequest.self, context: context)
        return EditedResponse(status: .created, response: ViewResponse(try await analytics.recordView(productID: id, userID: body.userID)))
    }

    @Sendable func recordCost(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CostResponse> {
        let id = try context.parameters.id()
        let body = try await request.decodeJSON(as: CostRequest.self, context: context)
        let cost = try await analytics.recordCost(productID: id, amount: body.amount, kind: body.kind)
        return EditedResponse(status: .created, response: CostResponse(cost))
    }

    @Sendable func productAnalytics(_ request: Request, context: AppRequestContext) async throws -> AnalyticsResponse {
        let id = try context.parameters.id()
        return AnalyticsResponse(report: try await analytics.analytics(productID: id, days: try request.integerQuery("days")))
    }

    @Sendable func top(_ request: Request, context: AppRequestContext) async throws -> TopResponse {
        TopResponse(
            try await analytics.top(
                by: request.stringQuery("by"), days: try request.integerQuery("days"), limit: try request.integerQuery("limit")))
    }
}
