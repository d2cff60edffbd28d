import AssayDomain
import AssayInMemory
import AssayPostgres
import Foundation
import Testing

/// Lends a fresh, empty product repository of one adapter to a test.
struct ProductRepositoryFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let use: @Sendable (_ body: @Sendable (any ProductRepository) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static var all: [ProductRepositoryFactory] {
        let inMemory = ProductRepositoryFactory(name: "in-memory") { body in try await body(InMemoryProductRepository()) }
        let postgres = ProductRepositoryFactory(name: "postgres") { body in
            try await TestDatabase.withFreshSchema { client, logger in
                try await body(PostgresProductRepository(database: PostgresGateway(client: client, logger: logger)))
            }
        }
        return TestDatabase.url == nil ? [inMemory] : [inMemory, postgres]
    }
}

/// Whole seconds, so every adapter stores the times exactly.
private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

private func draft(_ name: String, cents: Int64 = 100, category: String = "reagents") -> ProductDraft {
    ProductDraft(trustedName: name, category: category, price: Money(cents: cents))
}

/// The analytics of one product, recomputed from the raw events.
private func bruteForce(_ id: Int64, _ views: [ProductView], _ costs: [ProductCost], _ window: AnalyticsWindow) -> AnalyticsFigures {
    let seen = views.filter { $0.productID == id && window.contains($0.viewedAt) }
    let cents = costs.filter { $0.productID == id && window.contains($0.incurredAt) }.reduce(0) { $0 + $1.amount.cents }
    return AnalyticsFigures(views: seen.count, uniqueViewers: Set(seen.map(\.userID)).count, totalCost: Money(cents: cents))
}

@Suite("ProductRepository contract")
struct ProductRepositoryContract {
    @Test(arguments: ProductRepositoryFactory.all)
    func createReadAndListWithAllTimeTotals(factory: ProductRepositoryFactory) async throws {
        try await factory.use { repository in
            #expect(try await repository.products(after: nil, limit: 10).isEmpty)
            #expect(try await repository.product(id: 1) == nil)
            let first = try await repository.create(draft("Pipette\tTip\\", cents: 1_999), at: t0)
            #expect(first.name == "Pipette\tTip\\" && first.price == Money(cents: 1_999) && first.createdAt == t0)
            #expect(try await repository.product(id: first.id) == first)
            let more = try await repository.createMany((2...5).map { draft("P\($0)", cents: Int64($0)) }, at: t0)
            #expect(more.count == 4 && more == more.sorted() && more.allSatisfy { $0 > first.id })

            #expect(try await repository.recordView(ProductView(productID: more[0], userID: 1, viewedAt: t0)))
            #expect(try await repository.recordView(ProductView(productID: more[0], userID: 1, viewedAt: t0.addingTimeInterval(-400 * 86_400))))
            #expect(try await repository.recordCost(ProductCost(productID: more[0], amount: Money(cents: 250), kind: "ship", incurredAt: t0)))
            #expect(try await repository.recordCost(ProductCost(productID: more[0], amount: Money(cents: 5), kind: "tax", incurredAt: t0)))
            #expect(try await repository.recordView(ProductView(productID: 999, userID: 1, viewedAt: t0)) == false)
            #expect(try await repository.recordCost(ProductCost(productID: 999, amount: Money(cents: 1), kind: "x", incurredAt: t0)) == false)

            let page = try await repository.products(after: nil, limit: 2)
            #expect(page.map(\.product.id) == [first.id, more[0]])
            #expect(page[0].views == 0 && page[0].totalCost == Money(cents: 0))
            #expect(page[1].views == 2 && page[1].totalCost == Money(cents: 255))
            #expect(try await repository.products(after: more[0], limit: 10).map(\.product.id) == Array(more.dropFirst()))
            #expect(try await repository.products(after: more[3], limit: 10).isEmpty)
        }
    }

    @Test(arguments: ProductRepositoryFactory.all)
    func windowsIncludeTheStartAndExcludeTheEnd(factory: ProductRepositoryFactory) async throws {
        try await factory.use { repository in
            let id = try await repository.create(draft("Edge"), at: t0).id
            let window = try AnalyticsWindow(days: 1, endingAfter: t0)
            let times = [window.start.addingTimeInterval(-1), window.start, window.end.addingTimeInterval(-1), window.end]
            for (user, time) in times.enumerated() {
                #expect(try await repository.recordView(ProductView(productID: id, userID: Int64(user), viewedAt: time)))
                #expect(try await repository.recordCost(ProductCost(productID: id, amount: Money(cents: 1 << user), kind: "k", incurredAt: time)))
            }
            let figures = try await repository.analytics(productID: id, window: window)
            #expect(figures == AnalyticsFigures(views: 2, uniqueViewers: 2, totalCost: Money(cents: 2 + 4)))
            #expect(try await repository.analytics(productID: id + 1, window: window) == nil)
            let top = try await repository.top(by: .views, window: window, limit: 5)
            #expect(top.map(\.views) == [2] && top.map(\.totalCost) == [Money(cents: 6)])
        }
    }

    /// Random products, views and costs (seeded): analytics and leaders equal a recomputation from the raw events.
    @Test(arguments: ProductRepositoryFactory.all)
    func aggregatesEqualABruteForceRecomputation(factory: ProductRepositoryFactory) async throws {
        try await factory.use { repository in
            var random = SplitMix64(seed: 2_024)
            let ids = try await repository.createMany((0..<12).map { draft("R\($0)") }, at: t0)
            var views: [ProductView] = []
            var costs: [ProductCost] = []
            // Few users and few distinct amounts, so duplicates and ties happen.
            for _ in 0..<600 {
                let id = ids[Int(random.next() % UInt64(ids.count - 2))]  // the last two products get nothing
                let time = t0.addingTimeInterval(-Double(random.next() % (40 * 86_400)))
                views.append(ProductView(productID: id, userID: Int64(random.next() % 25), viewedAt: time))
            }
            for _ in 0..<150 {
                let id = ids[Int(random.next() % UInt64(ids.count - 2))]
                let time = t0.addingTimeInterval(-Double(random.next() % (40 * 86_400)))
                costs.append(ProductCost(productID: id, amount: Money(cents: Int64(random.next() % 4) * 50), kind: "k", incurredAt: time))
            }
            try await repository.recordViews(Array(views[..<300]))
            for view in views[300...] { #expect(try await repository.recordView(view)) }
            try await repository.recordCosts(costs)

            for days in [1, 7, 30, 365] {
                let window = try AnalyticsWindow(days: days, endingAfter: t0)
                var expected: [ProductSummary] = []
                for id in ids {
                    let figures = bruteForce(id, views, costs, window)
                    #expect(try await repository.analytics(productID: id, window: window) == figures, "product \(id), \(days) days")
                    let product = try #require(try await repository.product(id: id))
                    expected.append(ProductSummary(product: product, views: figures.views, totalCost: figures.totalCost))
                }
                for metric in TopMetric.allCases {
                    let leaders = expected.filter { ProductRanking.qualifies($0, by: metric) }.sorted {
                        ProductRanking.ranksBefore($0, $1, by: metric)
                    }
                    for limit in [1, 3, 100] {
                        #expect(
                            try await repository.top(by: metric, window: window, limit: limit) == Array(leaders.prefix(limit)), "\(metric) \(days)d")
                    }
                }
            }
            let all = try await repository.products(after: nil, limit: 100)
            #expect(all.map(\.views) == ids.map { id in views.count(where: { $0.productID == id }) })
            #expect(all.map(\.totalCost.cents) == ids.map { id in costs.filter { $0.productID == id }.reduce(0) { $0 + $1.amount.cents } })
        }
    }
}
