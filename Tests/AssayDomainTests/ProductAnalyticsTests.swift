import AssayDomain
import AssayInMemory
import Foundation
import Synchronization
import Testing

/// A clock the test moves by hand.
private final class HandClock: WallClock {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Wraps a repository and counts aggregate computations; each one takes `delay`, so concurrent requests overlap.
private final class CountingRepository: ProductRepository {
    let base: InMemoryProductRepository
    let delay: Duration
    let computations = Atomic<Int>(0)
    let rankings = Atomic<Int>(0)

    init(base: InMemoryProductRepository = InMemoryProductRepository(), delay: Duration = .milliseconds(100)) {
        self.base = base
        self.delay = delay
    }

    var count: Int { computations.load(ordering: .relaxed) }
    var topCount: Int { rankings.load(ordering: .relaxed) }

    func create(_ draft: ProductDraft, at time: Date) async throws -> Product { await base.create(draft, at: time) }
    func createMany(_ drafts: [ProductDraft], at time: Date) async throws -> [Int64] { await base.createMany(drafts, at: time) }
    func product(id: Int64) async throws -> Product? { await base.product(id: id) }
    func products(after: Int64?, limit: Int) async throws -> [ProductSummary] { await base.products(after: after, limit: limit) }
    func recordView(_ view: ProductView) async throws -> Bool { await base.recordView(view) }
    func recordCost(_ cost: ProductCost) async throws -> Bool { await base.recordCost(cost) }
    func recordViews(_ views: [ProductView]) async throws { try await base.recordViews(views) }
    func recordCosts(_ costs: [ProductCost]) async throws { try await base.recordCosts(costs) }
    func top(by metric: TopMetric, window: AnalyticsWindow, limit: Int) async throws -> [ProductSummary] {
        rankings.add(1, ordering: .relaxed)
        try await Task.sleep(for: delay)
        return await base.top(by: metric, window: window, limit: limit)
    }
    func analytics(productID: Int64, window: AnalyticsWindow) async throws -> AnalyticsFigures? {
        computations.add(1, ordering: .relaxed)
        try await Task.sleep(for: delay)
        return await base.analytics(productID: productID, window: window)
    }
}

/// A cache that is always down.
private struct BrokenCache: AnalyticsCache {
    struct Down: Error {}
    func get(_ key: String) async throws -> [UInt8]? { throw Down() }
    func set(_ key: String, value: [UInt8], ttl: TimeInterval) async throws { throw Down() }
    func delete(_ key: String) async throws { throw Down() }
}

/// 2023-11-14T22:13:20Z, 20 seconds into a minute.
private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

@Suite("Product analytics")
struct ProductAnalyticsTests {
    @Test func theWindowEndsAtTheEndOfTheCurrentMinuteAndIsHalfOpen() throws {
        let window = try AnalyticsWindow(days: 2, endingAfter: t0)
        #expect(window.end == Date(timeIntervalSince1970: 1_700_000_040))
        #expect(window.start == window.end.addingTimeInterval(-2 * 86_400))
        #expect(window.contains(window.start))
        #expect(!window.contains(window.end))
        #expect(!window.contains(window.start.addingTimeInterval(-0.001)))
        #expect(window.contains(t0))
        // Every reading within one minute gives the same window, so requests share a cache key.
        let aligned = Date(timeIntervalSince1970: 1_699_999_980)
        #expect(try AnalyticsWindow(days: 2, endingAfter: aligned) == window)
        #expect(try AnalyticsWindow(days: 2, endingAfter: aligned.addingTimeInterval(59.999)) == window)
        #expect(try AnalyticsWindow(days: 2, endingAfter: aligned.addingTimeInterval(60)) != window)
        #expect(try AnalyticsWindow(days: nil, endingAfter: t0).days == 30)
        #expect(throws: ProductError.daysOutOfRange(0)) { try AnalyticsWindow(days: 0, endingAfter: t0) }
        #expect(throws: ProductError.daysOutOfRange(366)) { try AnalyticsWindow(days: 366, endingAfter: t0) }
    }

    @Test func windowEdgesFollowTheClock() async throws {
        let clock = HandClock(t0)
        let repository = InMemoryProductRepository()
        let analytics = ProductAnalytics(repository: repository, cache: InMemoryAnalyticsCache(clock: clock), clock: clock, ttl: 30)
        let product = try await analytics.create(name: "Pipette", category: "consumables", price: 9.99)
        let window = try AnalyticsWindow(days: 1, endingAfter: t0)
        // At the start (counted), just before it (not), just before the end (counted); the end is in the future.
        for (user, time) in [(1, window.start), (2, window.start.addingTimeInterval(-1)), (3, window.end.addingTimeInterval(-0.5))] {
            #expect(await repository.recordView(ProductView(productID: product.id, userID: Int64(user), viewedAt: time)))
        }
        var report = try await analytics.analytics(productID: product.id, days: 1)
        #expect(report.window == window)
        #expect(report.figures.views == 2 && report.figures.uniqueViewers == 2)

        // 40 seconds later the minute has turned: a new window, computed afresh; the view at the old start left it.
        clock.advance(by: 40)
        report = try await analytics.analytics(productID: product.id, days: 1)
        #expect(report.window.end == window.end.addingTimeInterval(60))
        #expect(!report.cached)
        #expect(report.figures.views == 1)
    }

    @Test func aThousandConcurrentColdRequestsComputeOnce() async throws {
        let repository = CountingRepository()
        let analytics = ProductAnalytics(repository: repository, cache: InMemoryAnalyticsCache(), clock: HandClock(t0), ttl: 30)
        // Written behind the use case's back, so the cache holds nothing for the product, not even a generation.
        let product = await repository.base.create(try ProductDraft(name: "Centrifuge", category: "instruments", price: 1200), at: t0)
        for user in 0..<5 {
            #expect(await repository.base.recordView(ProductView(productID: product.id, userID: Int64(user % 3), viewedAt: t0)))
        }
        let reports = try await withThrowingTaskGroup(of: AnalyticsReport.self) { group in
            for _ in 0..<1_000 { group.addTask { try await analytics.analytics(productID: product.id, days: 30) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(repository.count == 1)
        #expect(reports.count == 1_000)
        #expect(reports.allSatisfy { $0.figures == AnalyticsFigures(views: 5, uniqueViewers: 3, totalCost: Money(cents: 0)) })
        // The next request is a plain cache hit.
        #expect(try await analytics.analytics(productID: product.id, days: 30).cached)
        #expect(repository.count == 1)
    }

    @Test func concurrentRequestsForAnUnknownProductAre404AndComputeOnce() async throws {
        let repository = CountingRepository()
        let analytics = ProductAnalytics(repository: repository, cache: InMemoryAnalyticsCache(), clock: HandClock(t0))
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    do {
                        _ = try await analytics.analytics(productID: 42, days: 7)
                        return false
                    } catch {
                        return error as? ProductError == .productNotFound(42)
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 100)
        #expect(repository.count == 1)
        // The cached "no such product" goes when a product with that id is created.
        for _ in 1...42 { _ = try await analytics.create(name: "Filler", category: "kits", price: 1) }
        #expect(try await analytics.analytics(productID: 42, days: 7).figures.views == 0)
    }

    @Test func cachedUntilAWriteOrTheTTL() async throws {
        let clock = HandClock(t0)
        let repository = CountingRepository(delay: .zero)
        let analytics = ProductAnalytics(repository: repository, cache: InMemoryAnalyticsCache(clock: clock), clock: clock, ttl: 30)
        let product = try await analytics.create(name: "Buffer", category: "reagents", price: 4.5)
        _ = try await analytics.recordView(productID: product.id, userID: 7)

        #expect(try await analytics.analytics(productID: product.id, days: 30).cached == false)
        #expect(try await analytics.analytics(productID: product.id, days: 30).cached == true)
        #expect(try await analytics.analytics(productID: product.id, days: 7).cached == false)  // another window, another key

        _ = try await analytics.recordCost(productID: product.id, amount: 2.25, kind: "shipping")
        let afterCost = try await analytics.analytics(productID: product.id, days: 30)
        #expect(!afterCost.cached)
        #expect(afterCost.figures == AnalyticsFigures(views: 1, uniqueViewers: 1, totalCost: Money(cents: 225)))
        #expect(afterCost.figures.costPerView == 2.25)

        _ = try await analytics.recordView(productID: product.id, userID: 8)
        #expect(try await analytics.analytics(productID: product.id, days: 30).figures.views == 2)

        // A write to the database behind the use case's back shows after the TTL at the latest.
        #expect(await repository.base.recordView(ProductView(productID: product.id, userID: 9, viewedAt: t0)))
        let stale = try await analytics.analytics(productID: product.id, days: 30)
        #expect(stale.cached && stale.figures.views == 2)
        clock.advance(by: 31)  // 51 s into the same minute, so the same key, but past the TTL
        let fresh = try await analytics.analytics(productID: product.id, days: 30)
        #expect(!fresh.cached && fresh.figures.views == 3)
    }

    @Test func leadersAreCachedInSingleFlightAndLagWritesByAtMostTheTTL() async throws {
        let clock = HandClock(t0)
        let repository = CountingRepository()
        let analytics = ProductAnalytics(repository: repository, cache: InMemoryAnalyticsCache(clock: clock), clock: clock, ttl: 30)
        for name in ["A", "B", "C"] { _ = try await analytics.create(name: name, category: "kits", price: 1.25) }
        for (id, user) in [(2, 1), (2, 2), (3, 1)] { _ = try await analytics.recordView(productID: Int64(id), userID: Int64(user)) }
        let reports = try await withThrowingTaskGroup(of: TopReport.self) { group in
            for _ in 0..<200 { group.addTask { try await analytics.top(by: "views", days: 7, limit: 10) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(repository.topCount == 1)
        #expect(reports.allSatisfy { $0.leaders.map(\.product.id) == [2, 3] && $0.leaders.map(\.views) == [2, 1] })
        let cached = try await analytics.top(by: "views", days: 7, limit: 10)
        #expect(cached.cached && cached.leaders == reports[0].leaders)
        #expect(cached.leaders[0].product.createdAt == t0 && cached.leaders[0].product.price == Money(cents: 125))

        // Writes do not invalidate leaders; the TTL does.
        for user in 3...5 { _ = try await analytics.recordView(productID: 1, userID: Int64(user)) }
        #expect(try await analytics.top(by: "views", days: 7, limit: 10).leaders.map(\.product.id) == [2, 3])
        clock.advance(by: 31)  // same minute, past the TTL
        let fresh = try await analytics.top(by: "views", days: 7, limit: 10)
        #expect(!fresh.cached && fresh.leaders.map(\.product.id) == [1, 2, 3])
        #expect(try await analytics.top(by: "cost", days: 7, limit: 10).cached == false)  // another key
    }

    @Test func aBrokenCacheOnlyCostsSpeed() async throws {
        let analytics = ProductAnalytics(repository: InMemoryProductRepository(), cache: BrokenCache(), clock: HandClock(t0))
        let product = try await analytics.create(name: "Tips", category: "consumables", price: 0.1)
        _ = try await analytics.recordView(productID: product.id, userID: 1)
        let report = try await analytics.analytics(productID: product.id, days: 1)
        #expect(!report.cached && report.figures.views == 1)
    }

    @Test func ttlZeroDisablesTheCache() async throws {
        let analytics = ProductAnalytics(repository: InMemoryProductRepository(), cache: InMemoryAnalyticsCache(), clock: HandClock(t0), ttl: 0)
        let product = try await analytics.create(name: "Tips", category: "consumables", price: 0)
        #expect(try await analytics.analytics(productID: product.id, days: 1).cached == false)
        #expect(try await analytics.analytics(productID: product.id, days: 1).cached == false)
    }

    @Test func inputIsValidatedIntoTypedValues() throws {
        #expect(try ProductDraft(name: "  Pipette ", category: "consumables", price: 19.99).price == Money(cents: 1_999))
        #expect(try ProductDraft(name: "x", category: "y", price: 0.1).price == Money(cents: 10))
        let error = #expect(throws: ValidationError.self) { try ProductDraft(name: " ", category: "\u{7}", price: 1.005) }
        #expect(error?.errors.map(\.field) == ["name", "category", "price"])
        #expect(throws: ValidationError.self) { try ProductDraft(name: "a", category: "b", price: -1) }
        #expect(throws: ValidationError.self) { try ProductDraft(name: "a", category: "b", price: .infinity) }
        #expect(throws: ValidationError.self) { try ProductDraft(name: String(repeating: "a", count: 201), category: "b", price: 1) }
        #expect(try ViewDraft(userID: 0).userID == 0)
        let negative = #expect(throws: ValidationError.self) { try ViewDraft(userID: -1) }
        #expect(negative?.errors == [FieldError(field: "user_id", reason: "must be a non-negative integer")])
        let cost = #expect(throws: ValidationError.self) { try CostDraft(amount: 1e12, kind: "") }
        #expect(cost?.errors.map(\.field) == ["amount", "kind"])
        #expect(try CostDraft(amount: 12.34, kind: " shipping ").kind == "shipping")
    }

    @Test func topValidatesItsParameters() async throws {
        let analytics = ProductAnalytics(repository: InMemoryProductRepository(), cache: InMemoryAnalyticsCache(), clock: HandClock(t0))
        await #expect(throws: ProductError.unknownMetric("likes")) { try await analytics.top(by: "likes", days: nil, limit: nil) }
        await #expect(throws: ProductError.topLimitOutOfRange(0)) { try await analytics.top(by: "cost", days: nil, limit: 0) }
        await #expect(throws: ProductError.daysOutOfRange(400)) { try await analytics.top(by: nil, days: 400, limit: nil) }
        let report = try await analytics.top(by: "COST", days: 7, limit: 5)
        #expect(report.metric == .cost && report.window.days == 7 && report.leaders.isEmpty)
    }

    @Test func syntheticDataIsDeterministic() throws {
        let data = try SyntheticProducts(products: 20, views: 100, costs: 10, days: 30, seed: 7)
        let ids = (1...20).map(Int64.init)
        #expect(data.views(0..<100, productIDs: ids, now: t0) == data.views(0..<100, productIDs: ids, now: t0))
        #expect(
            data.views(0..<50, productIDs: ids, now: t0) + data.views(50..<100, productIDs: ids, now: t0)
                == data.views(0..<100, productIDs: ids, now: t0))
        let window = try AnalyticsWindow(days: 30, endingAfter: t0)
        #expect(data.views(0..<100, productIDs: ids, now: t0).allSatisfy { window.contains($0.viewedAt) && ids.contains($0.productID) })
        #expect(data.costs(0..<10, productIDs: ids, now: t0).allSatisfy { $0.amount.cents > 0 })
        #expect(throws: ValidationError.self) { try SyntheticProducts(products: 0, views: -1, costs: 0) }
    }
}
