public import AssayDomain

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// ``ProductRepository`` kept in memory: the embedded default and the reference for the contract suite.
/// Aggregates scan the events of the products involved; all-time totals are kept as running sums.
public actor InMemoryProductRepository: ProductRepository {
    private struct Events {
        var views: [(userID: Int64, at: Date)] = []
        var costs: [(cents: Int64, at: Date)] = []
        var totalCents: Int64 = 0
    }

    /// Products by ascending id; ids are 1, 2, 3, ... so a product sits at index `id - 1`.
    private var products: [Product] = []
    private var events: [Events] = []

    /// Creates an empty repository.
    public init() {}

    public func create(_ draft: ProductDraft, at time: Date) -> Product {
        let product = Product(id: Int64(products.count + 1), name: draft.name, category: draft.category, price: draft.price, createdAt: time)
        products.append(product)
        events.append(Events())
        return product
    }

    public func createMany(_ drafts: [ProductDraft], at time: Date) -> [Int64] {
        drafts.map { create($0, at: time).id }
    }

    public func product(id: Int64) -> Product? {
        index(of: id).map { products[$0] }
    }

    public func products(after: Int64?, limit: Int) -> [ProductSummary] {
        let start = Int(max(after ?? 0, 0))
        guard start < products.count, limit > 0 else { return [] }
        return (start..<min(start + limit, products.count)).map { index in
            ProductSummary(product: products[index], views: events[index].views.count, totalCost: Money(cents: events[index].totalCents))
        }
    }

    public func recordView(_ view: ProductView) -> Bool {
        guard let index = index(of: view.productID) else { return false }
        events[index].views.append((view.userID, view.viewedAt))
        return true
    }

    public func recordCost(_ cost: ProductCost) -> Bool {
        guard let index = index(of: cost.productID) else { return false }
        events[index].costs.append((cost.amount.cents, cost.incurredAt))
        events[index].totalCents += cost.amount.cents
        return true
    }

    public func recordViews(_ views: [ProductView]) throws {
        guard views.allSatisfy({ index(of: $0.productID) != nil }) else { throw UnknownProduct() }
        for view in views { _ = recordView(view) }
    }

    public func recordCosts(_ costs: [ProductCost]) throws {
        guard costs.allSatisfy({ index(of: $0.productID) != nil }) else { throw UnknownProduct() }
        for cost in costs { _ = recordCost(cost) }
    }

    public func analytics(productID: Int64, window: AnalyticsWindow) -> AnalyticsFigures? {
        guard let index = index(of: productID) else { return nil }
        return figures(events[index], in: window)
    }

    public func top(by metric: TopMetric, window: AnalyticsWindow, limit: Int) -> [ProductSummary] {
        var rows: [ProductSummary] = []
        for (index, product) in products.enumerated() {
            let totals = figures(events[index], in: window)
            let row = ProductSummary(product: product, views: totals.views, totalCost: totals.totalCost)
            if ProductRanking.qualifies(row, by: metric) { rows.append(row) }
        }
        rows.sort { ProductRanking.ranksBefore($0, $1, by: metric) }
        return Array(rows.prefix(max(limit, 0)))
    }

    private func index(of id: Int64) -> Int? {
        id >= 1 && id <= Int64(products.count) ? Int(id - 1) : nil
    }

    private func figures(_ events: Events, in window: AnalyticsWindow) -> AnalyticsFigures {
        var views = 0
        var viewers = Set<Int64>()
        for view in events.views where window.contains(view.at) {
            views += 1
            viewers.insert(view.userID)
        }
        var cents: Int64 = 0
        for cost in events.costs where window.contains(cost.at) { cents += cost.cents }
        return AnalyticsFigures(views: views, uniqueViewers: viewers.count, totalCost: Money(cents: cents))
    }
}

/// A bulk load named a product that does not exist.
public struct UnknownProduct: Error, Sendable, Hashable {
    /// Creates the error.
    public init() {}
}
