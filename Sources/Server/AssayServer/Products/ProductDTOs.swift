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

/// `GET /products/{id}/analytics`: the figures, the window and whether they came from the cache. Written with
/// ``JSONWriter``: a cached answer is this endpoint's hot path, and `JSONEncoder` (a tree, sorted keys, dates through
/// a formatter) cost more than the cache lookups.
struct AnalyticsResponse: ResponseGenerator {
    let report: AnalyticsReport

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: bytes()))
    }

    /// The JSON document, keys in the API encoder's sorted order; `cost_per_view` is null (not absent) without views.
    func bytes() -> ByteBuffer {
        var writer = JSONWriter(capacity: 256)
        writer.raw("{\"cached\":")
        writer.boolean(report.cached)
        writer.raw(",\"cost_per_view\":")
        writer.numberOrNull(report.figures.costPerView)
        writer.raw(",\"days\":")
        writer.integer(Int64(report.window.days))
        writer.raw(",\"product_id\":")
        writer.integer(report.productID)
        writer.raw(",\"total_cost\":")
        writer.number(report.figures.totalCost.units)
        writer.raw(",\"unique_viewers\":")
        writer.integer(Int64(report.figures.uniqueViewers))
        writer.raw(",\"views\":")
        writer.integer(Int64(report.figures.views))
        writer.raw(",\"window_end\":")
        writer.date(report.window.end)
        writer.raw(",\"window_start\":")
        writer.date(report.window.start)
        writer.raw("}")
        return writer.buffer
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
