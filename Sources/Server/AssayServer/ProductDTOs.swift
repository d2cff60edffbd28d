import AssayDomain
import Foundation
import Hummingbird

/// Body of `POST /products`.
struct ProductRequest: Decodable {
    let name: String
    let category: String
    let price: Double
}

/// Body of `POST /products/{id}/views`.
struct ViewRequest: Decodable {
    let userID: Int64

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            userID = try container.decode(Int64.self, forKey: .userID)
        } catch let error as DecodingError {
            throw error
        } catch {
            // Foundation reports a number that is no Int64 (1.5, 1e30) with an internal error that reaches the
            // caller as "not valid JSON"; name the field instead.
            throw DecodingError.typeMismatch(
                Int64.self, .init(codingPath: container.codingPath + [CodingKeys.userID], debugDescription: "not a 64-bit integer"))
        }
    }
}

/// Body of `POST /products/{id}/costs`.
struct CostRequest: Decodable {
    let amount: Double
    let kind: String
}

/// A product as the API shows it; list rows add all-time `views` and `total_cost`.
struct ProductResponse: ResponseEncodable {
    let id: Int64
    let name: String
    let category: String
    let price: Double
    let createdAt: Date
    let views: Int?
    let totalCost: Double?

    init(_ product: Product) {
        id = product.id
        name = product.name
        category = product.category
        price = product.price.units
        createdAt = product.createdAt
        views = nil
        totalCost = nil
    }

    init(_ summary: ProductSummary) {
        id = summary.product.id
        name = summary.product.name
        category = summary.product.category
        price = summary.product.price.units
        createdAt = summary.product.createdAt
        views = summary.views
        totalCost = summary.totalCost.units
    }

    enum CodingKeys: String, CodingKey {
        case id, name, category, price, views
        case createdAt = "created_at"
        case totalCost = "total_cost"
    }
}

/// A recorded view.
struct ViewResponse: ResponseEncodable {
    let productID: Int64
    let userID: Int64
    let viewedAt: Date

    init(_ view: ProductView) {
        productID = view.productID
        userID = view.userID
        viewedAt = view.viewedAt
    }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
        case userID = "user_id"
        case viewedAt = "viewed_at"
    }
}

/// A recorded cost.
struct CostResponse: ResponseEncodable {
    let productID: Int64
    let amount: Double
    let kind: String
    let incurredAt: Date

    init(_ cost: ProductCost) {
        productID = cost.productID
        amount = cost.amount.units
        kind = cost.kind
        incurredAt = cost.incurredAt
    }

    enum CodingKeys: String, CodingKey {
        case kind, amount
        case productID = "product_id"
        case incurredAt = "incurred_at"
    }
}

/// `GET /products/{id}/analytics`: the figures, the window and whether they came from the cache.
struct AnalyticsResponse: ResponseEncodable {
    let report: AnalyticsReport

    enum CodingKeys: String, CodingKey {
        case days, views, cached
        case productID = "product_id"
        case windowStart = "window_start"
        case windowEnd = "window_end"
        case uniqueViewers = "unique_viewers"
        case totalCost = "total_cost"
        case costPerView = "cost_per_view"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(report.productID, forKey: .productID)
        try container.encode(report.window.days, forKey: .days)
        try container.encode(report.window.start, forKey: .windowStart)
        try container.encode(report.window.end, forKey: .windowEnd)
        try container.encode(report.figures.views, forKey: .views)
        try container.encode(report.figures.uniqueViewers, forKey: .uniqueViewers)
        try container.encode(report.figures.totalCost.units, forKey: .totalCost)
        // null rather than absent: without views there is no cost per view.
        try container.encode(report.figures.costPerView, forKey: .costPerView)
        try container.encode(report.cached, forKey: .cached)
    }
}

/// `GET /products/top`: the leaders in rank order.
struct TopResponse: ResponseEncodable {
    struct Leader: Encodable {
        let rank: Int
        let product: ProductResponse
        let views: Int
        let totalCost: Double

        enum CodingKeys: String, CodingKey {
            case rank, product, views
            case totalCost = "total_cost"
        }
    }

    let by: String
    let days: Int
    let cached: Bool
    let windowStart: Date
    let windowEnd: Date
    let items: [Leader]

    init(_ report: TopReport) {
        by = report.metric.rawValue
        days = report.window.days
        cached = report.cached
        windowStart = report.window.start
        windowEnd = report.window.end
        items = report.leaders.enumerated().map { index, row in
            Leader(rank: index + 1, product: ProductResponse(row.product), views: row.views, totalCost: row.totalCost.units)
        }
    }

    enum CodingKeys: String, CodingKey {
        case by, days, items, cached
        case windowStart = "window_start"
        case windowEnd = "window_end"
    }
}
