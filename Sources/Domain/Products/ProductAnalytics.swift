#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One product's analytics in one window, and whether they came from the cache.
public struct AnalyticsReport: Sendable, Hashable {
    /// The product.
    public var productID: Int64
    /// The window the figures cover.
    public var window: AnalyticsWindow
    /// Views, unique viewers, total cost.
    public var figures: AnalyticsFigures
    /// `true` when the figures were read from the cache, `false` when computed for this request (or for a
    /// concurrent request it waited for).
    public var cached: Bool
}

/// The leaders of one window.
public struct TopReport: Sendable, Hashable {
    /// What they are ranked by.
    public var metric: TopMetric
    /// The window ranked.
    public var window: AnalyticsWindow
    /// Leaders in rank order.
    public var leaders: [ProductSummary]
    /// `true` when read from the cache.
    public var cached: Bool
}

/// The product-analytics use cases: validation, not-found rules, windows, and analytics cached behind
/// ``AnalyticsCache`` with single flight.
///
/// Cache entries are keyed by product, a per-product *generation*, window length and window end (minute); "no such
/// product" is cached like figures. Creating a product and every write to one store a new random generation, so entries computed before the write can no longer
/// be found: a client that has seen its write acknowledged never reads analytics from before it. If the cache
/// cannot be reached, requests compute directly; a write whose invalidation failed can then leave analytics up
/// to `ttl` seconds stale. Concurrent misses on one key in this process compute once (``SingleFlight``).
///
/// Leaders are cached per metric, limit and window for `ttl` seconds and are *not* invalidated by writes (any
/// write may change them, which would empty that cache under write load): they lag writes by at most `ttl`.
public struct ProductAnalytics<Repository: ProductRepository>: Sendable {
    /// Cursor kind of product lists.
    public static var cursorKind: String { "products" }

    /// The storage port.
    public let repository: Repository
    /// The cache port.
    public let cache: any AnalyticsCache
    /// Source of timestamps and windows.
    public let clock: any WallClock
    /// Seconds an analytics entry lives in the cache; 0 or less disables caching.
    public let ttl: TimeInterval
    private let flights = SingleFlight<Lookup>()
    private let generations = SingleFlight<String?>()
    private let leaderFlights = SingleFlight<([ProductSummary], Bool)>()

    /// Creates the use cases over a repository, a cache, a clock and a cache lifetime in seconds.
    public init(repository: Repository, cache: any AnalyticsCache, clock: any WallClock = SystemClock(), ttl: TimeInterval = 30) {
        self.repository = repository
        self.cache = cache
        self.clock = clock
        self.ttl = ttl
    }

    /// Validates and stores a new product; a cached "no such product" for its id is invalidated.
    public func create(name: String, category: String, price: Double) async throws -> Product {
        let product = try await repository.create(ProductDraft(name: name, category: category, price: price), at: clock.now())
        await invalidate(product.id)
        return product
    }

    /// The product with this id; throws ``ProductError/productNotFound(_:)`` when missing.
    public func product(id: Int64) async throws -> Product {
        guard let product = try await repository.product(id: id) else { throw ProductError.productNotFound(id) }
        return product
    }

    /// One page of products by ascending id, each with all-time views and total cost.
    public func list(limit: Int?, cursor: String?) async throws -> Page<ProductSummary> {
        let page = try PageRequest(limit: limit, cursor: cursor, kind: Self.cursorKind)
        let fetched = try await repository.products(after: page.afterID, limit: page.limit + 1)
        return Page(fetched: fetched, limit: page.limit, kind: Self.cursorKind) { $0.product.id }
    }

    /// Validates and records a view now; invalidates the product's cached analytics.
    public func recordView(productID: Int64, userID: Int64) async throws -> ProductView {
        let view = ProductView(productID: productID, userID: try ViewDraft(userID: userID).userID, viewedAt: clock.now())
        guard try await repository.recordView(view) else { throw ProductError.productNotFound(productID) }
        await invalidate(productID)
        return view
    }

    /// Validates and records a cost now; invalidates the product's cached analytics.
    public func recordCost(productID: Int64, amount: Double, kind: String) async throws -> ProductCost {
        let draft = try CostDraft(amount: amount, kind: kind)
        let cost = ProductCost(productID: productID, amount: draft.amount, kind: draft.kind, incurredAt: clock.now())
        guard try await repository.recordCost(cost) else { throw ProductError.productNotFound(productID) }
        await invalidate(productID)
        return cost
    }

    /// Views, unique viewers and total cost of a product over the last `days` days (default 30), from the cache
    /// when present; throws ``ProductError/productNotFound(_:)`` for an unknown product.
    public func analytics(productID: Int64, days: Int?) async throws -> AnalyticsReport {
        let window = try AnalyticsWindow(days: days, endingAfter: clock.now())
        let generation = ttl > 0 ? await generation(of: productID) : nil
        let cacheable = generation != nil
        let key = Self.entryKey(productID, generation: generation, window: window)
        let lookup: Lookup
        if cacheable, let bytes = try? await cache.get(key), let answer = Self.decode(bytes) {
            lookup = Lookup(figures: answer, cached: true)
        } else {
            lookup = try await flights.run(key) { [repository, cache, ttl] in
                // Re-checked inside the flight: a flight that finished just before this one stored the entry.
                if cacheable, let bytes = try? await cache.get(key), let answer = Self.decode(bytes) {
                    return Lookup(figures: answer, cached: true)
                }
                // "No such product" is cached too, so a flood of requests for a missing id reaches the repository once.
                let figures = try await repository.analytics(productID: productID, window: window)
                if cacheable { try? await cache.set(key, value: Self.encode(figures), ttl: ttl) }
                return Lookup(figures: figures, cached: false)
            }
        }
        guard let figures = lookup.figures else { throw ProductError.productNotFound(productID) }
        return AnalyticsReport(productID: productID, window: window, figures: figures, cached: lookup.cached)
    }

    /// The leaders over the last `days` days by `metric` (`views` or `cost`, default `views`), at most `limit`
    /// (default 10, 1...100).
    public func top(by metric: String?, days: Int?, limit: Int?) async throws -> TopReport {
        let window = try AnalyticsWindow(days: days, endingAfter: clock.now())
        let raw = metric ?? TopMetric.views.rawValue
        guard let metric = TopMetric(rawValue: raw.lowercased()) else { throw ProductError.unknownMetric(raw) }
        let limit = limit ?? ProductRules.defaultTopLimit
        guard ProductRules.topLimits.contains(limit) else { throw ProductError.topLimitOutOfRange(limit) }
        let key = "analytics:top:\(metric.rawValue):limit:\(limit):days:\(window.days):end:\(window.endMinute)"
        let cacheable = ttl > 0
        if cacheable, let bytes = try? await cache.get(key), let leaders = Self.decodeLeaders(bytes) {
            return TopReport(metric: metric, window: window, leaders: leaders, cached: true)
        }
        let (leaders, cached) = try await leaderFlights.run(key) { [repository, cache, ttl] in
            if cacheable, let bytes = try? await cache.get(key), let leaders = Self.decodeLeaders(bytes) { return (leaders, true) }
            let leaders = try await repository.top(by: metric, window: window, limit: limit)
            if cacheable, let bytes = Self.encodeLeaders(leaders) { try? await cache.set(key, value: bytes, ttl: ttl) }
            return (leaders, false)
        }
        return TopReport(metric: metric, window: window, leaders: leaders, cached: cached)
    }

    // MARK: - Cache keys and entries

    private struct Lookup: Sendable {
        /// `nil`: no such product.
        let figures: AnalyticsFigures?
        let cached: Bool
    }

    /// Generations outlive entries, so an entry is never orphaned by its generation expiring first.
    private var generationTTL: TimeInterval { max(ttl, 86_400) }

    /// The cache key of a product's generation.
    public static func generationKey(_ productID: Int64) -> String { "analytics:product:\(productID):generation" }

    /// The key of one product's figures for one generation and window; without a generation (no cache) the
    /// key only names the computation for single flight.
    static func entryKey(_ productID: Int64, generation: String?, window: AnalyticsWindow) -> String {
        "analytics:product:\(productID):gen:\(generation ?? "-"):days:\(window.days):end:\(window.endMinute)"
    }

    /// The product's current generation, creating one when absent; `nil` when the cache cannot be reached.
    /// Creation runs in single flight, so concurrent first requests in this process agree on one generation
    /// (and so on one entry key).
    private func generation(of productID: Int64) async -> String? {
        let key = Self.generationKey(productID)
        let read: @Sendable (any AnalyticsCache) async throws -> String? = { cache in
            try await cache.get(key).flatMap { String(validating: $0, as: UTF8.self) }
        }
        do {
            if let current = try await read(cache) { return current }
            return try await generations.run(key) { [cache, generationTTL] in
                if let current = try await read(cache) { return current }
                let fresh = Self.newGeneration()
                try await cache.set(key, value: Array(fresh.utf8), ttl: generationTTL)
                return fresh
            }
        } catch {
            return nil
        }
    }

    /// Makes every cached entry of the product unreachable.
    private func invalidate(_ productID: Int64) async {
        guard ttl > 0 else { return }
        try? await cache.set(Self.generationKey(productID), value: Array(Self.newGeneration().utf8), ttl: generationTTL)
    }

    private static func newGeneration() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }

    /// `views uniqueViewers cents` in ASCII, or `-` for "no such product".
    static func encode(_ figures: AnalyticsFigures?) -> [UInt8] {
        guard let figures else { return Array("-".utf8) }
        return Array("\(figures.views) \(figures.uniqueViewers) \(figures.totalCost.cents)".utf8)
    }

    /// One leader in the cache, in JSON.
    private struct CachedLeader: Codable {
        let id: Int64
        let name: String
        let category: String
        let priceCents: Int64
        let createdAt: Double
        let views: Int
        let costCents: Int64
    }

    static func encodeLeaders(_ leaders: [ProductSummary]) -> [UInt8]? {
        let rows = leaders.map {
            CachedLeader(
                id: $0.product.id, name: $0.product.name, category: $0.product.category, priceCents: $0.product.price.cents,
                createdAt: $0.product.createdAt.timeIntervalSince1970, views: $0.views, costCents: $0.totalCost.cents)
        }
        return (try? JSONEncoder().encode(rows)).map { Array($0) }
    }

    static func decodeLeaders(_ bytes: [UInt8]) -> [ProductSummary]? {
        guard let rows = try? JSONDecoder().decode([CachedLeader].self, from: Data(bytes)) else { return nil }
        return rows.map {
            let product = Product(
                id: $0.id, name: $0.name, category: $0.category, price: Money(cents: $0.priceCents),
                createdAt: Date(timeIntervalSince1970: $0.createdAt))
            return ProductSummary(product: product, views: $0.views, totalCost: Money(cents: $0.costCents))
        }
    }

    /// The cached answer: `.some(nil)` for "no such product", `nil` when the bytes are not an entry.
    static func decode(_ bytes: [UInt8]) -> AnalyticsFigures?? {
        if bytes == Array("-".utf8) { return .some(nil) }
        let parts = bytes.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3, let views = Int(parts[0]), let unique = Int(parts[1]), let cents = Int64(parts[2]) else { return nil }
        return AnalyticsFigures(views: views, uniqueViewers: unique, totalCost: Money(cents: cents))
    }
}

/// The kinds of entry ``ProductAnalytics`` keeps in its ``AnalyticsCache``, told apart by key, for metrics.
public enum AnalyticsEntryKind: String, Sendable, CaseIterable {
    /// A product's analytics report for one window.
    case report
    /// The leaders for one metric, limit and window.
    case leaders
    /// A product's generation, renewed by every write to the product.
    case generation

    /// The kind of entry stored under `key`.
    public init(key: String) {
        if key.hasPrefix("analytics:top:") {
            self = .leaders
        } else {
            self = key.hasSuffix(":generation") ? .generation : .report
        }
    }
}
