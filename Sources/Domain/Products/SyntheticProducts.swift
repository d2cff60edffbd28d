#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Deterministic synthetic products, views and costs for benchmarks and demos: the same seed gives the same data.
///
/// Views and costs fall on products with a skew (a few products get many), by users drawn from a pool of
/// `max(views / 10, 1)` ids, at times spread evenly over the `days` days before `now`.
public struct SyntheticProducts: Sendable {
    /// Number of products.
    public let products: Int
    /// Number of views.
    public let views: Int
    /// Number of costs.
    public let costs: Int
    /// Days back from `now` the events spread over.
    public let days: Int
    /// Seed of the generator.
    public let seed: UInt64

    private static let categories = ["reagents", "instruments", "consumables", "software", "services", "kits"]
    private static let costKinds = ["shipping", "storage", "licence", "support", "marketing"]

    /// Validates the sizes: at least one product, no negative counts, 1...3650 days.
    public init(products: Int, views: Int, costs: Int, days: Int = 90, seed: UInt64 = 1) throws(ValidationError) {
        var errors: [FieldError] = []
        if products < 1 { errors.append(FieldError(field: "products", reason: "must be at least 1")) }
        if views < 0 { errors.append(FieldError(field: "views", reason: "must not be negative")) }
        if costs < 0 { errors.append(FieldError(field: "costs", reason: "must not be negative")) }
        if !(1...3_650).contains(days) { errors.append(FieldError(field: "days", reason: "must be 1...3650")) }
        guard errors.isEmpty else { throw ValidationError(errors) }
        self.products = products
        self.views = views
        self.costs = costs
        self.days = days
        self.seed = seed
    }

    /// Products `range` (0-based positions).
    public func drafts(_ range: Range<Int>) -> [ProductDraft] {
        range.map { index in
            var random = SplitMix64(seed: seed, stream: UInt64(index))
            let category = Self.categories[Int(random.next() % UInt64(Self.categories.count))]
            return ProductDraft(
                trustedName: "Product \(index + 1)", category: category, price: Money(cents: Int64(random.next() % 100_000) + 99))
        }
    }

    /// Views `range` (0-based positions) of the products whose ids are `productIDs` (in creation order).
    public func views(_ range: Range<Int>, productIDs: [Int64], now: Date) -> [ProductView] {
        let users = UInt64(max(views / 10, 1))
        return range.map { index in
            var random = SplitMix64(seed: seed ^ 0x5649_4557, stream: UInt64(index))
            return ProductView(
                productID: Self.skewed(productIDs, &random), userID: Int64(random.next() % users), viewedAt: time(&random, now: now))
        }
    }

    /// Costs `range` (0-based positions) of the products whose ids are `productIDs` (in creation order).
    public func costs(_ range: Range<Int>, productIDs: [Int64], now: Date) -> [ProductCost] {
        range.map { index in
            var random = SplitMix64(seed: seed ^ 0x434F_5354, stream: UInt64(index))
            return ProductCost(
                productID: Self.skewed(productIDs, &random), amount: Money(cents: Int64(random.next() % 50_000) + 1),
                kind: Self.costKinds[Int(random.next() % UInt64(Self.costKinds.count))], incurredAt: time(&random, now: now))
        }
    }

    /// A product id, low positions more likely: the square of a uniform number leans towards zero.
    private static func skewed(_ ids: [Int64], _ random: inout SplitMix64) -> Int64 {
        guard !ids.isEmpty else { return 0 }
        let uniform = Double(random.next() >> 11) / Double(1 << 53)
        return ids[min(Int(uniform * uniform * Double(ids.count)), ids.count - 1)]
    }

    /// A whole second within `days` before `now`.
    private func time(_ random: inout SplitMix64, now: Date) -> Date {
        let seconds = random.next() % UInt64(days * 86_400)
        return Date(timeIntervalSince1970: (now.timeIntervalSince1970 - Double(seconds)).rounded(.down))
    }
}
