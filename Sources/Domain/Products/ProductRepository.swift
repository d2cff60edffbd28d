#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Storage for products, their views and costs, and the aggregates over them. Every adapter passes the same
/// contract suite.
///
/// Each aggregate is one query on a database adapter (no query per product). Windows are half-open:
/// an event counts when `window.start <= time < window.end`.
public protocol ProductRepository: Sendable {
    /// Stores a new product and returns it with its new id.
    func create(_ draft: ProductDraft, at time: Date) async throws -> Product
    /// Stores many products at once (bulk load) and returns their ids, in the order of `drafts`.
    func createMany(_ drafts: [ProductDraft], at time: Date) async throws -> [Int64]
    /// The product with this id, or `nil`.
    func product(id: Int64) async throws -> Product?
    /// Products with id greater than `after`, by ascending id, at most `limit`, with all-time views and cost.
    func products(after: Int64?, limit: Int) async throws -> [ProductSummary]
    /// Records a view; `false` (nothing stored) when the product does not exist.
    func recordView(_ view: ProductView) async throws -> Bool
    /// Records a cost; `false` (nothing stored) when the product does not exist.
    func recordCost(_ cost: ProductCost) async throws -> Bool
    /// Records many views of existing products at once (bulk load).
    func recordViews(_ views: [ProductView]) async throws
    /// Records many costs of existing products at once (bulk load).
    func recordCosts(_ costs: [ProductCost]) async throws
    /// Views, unique viewers and total cost of one product in the window; `nil` when the product does not exist.
    func analytics(productID: Int64, window: AnalyticsWindow) async throws -> AnalyticsFigures?
    /// At most `limit` leaders in the window by `metric`, ordered by ``ProductRanking``.
    func top(by metric: TopMetric, window: AnalyticsWindow, limit: Int) async throws -> [ProductSummary]
}
