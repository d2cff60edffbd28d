#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// An amount of money in whole cents, so sums are exact on every adapter.
public struct Money: Sendable, Hashable, Comparable {
    /// The amount in hundredths of the currency unit.
    public let cents: Int64

    /// Creates an amount from cents.
    public init(cents: Int64) {
        self.cents = cents
    }

    /// The amount in currency units, for display (`12.34`).
    public var units: Double { Double(cents) / 100 }

    /// The cents of `value` currency units when it has at most two decimal places, is finite and not negative,
    /// and is at most `maximum` cents; `nil` otherwise.
    public static func cents(of value: Double, maximum: Int64) -> Int64? {
        guard value.isFinite, value >= 0, value * 100 <= Double(maximum) else { return nil }
        let scaled = (value * 100).rounded()
        // 0.1 * 100 is 10.000000000000002 in binary floating point; anything further off has a third decimal.
        guard abs(value * 100 - scaled) <= 1e-6 * max(1, scaled) else { return nil }
        return Int64(scaled)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
}

/// A product whose views and costs are analysed.
public struct Product: Sendable, Hashable {
    /// Identifier, assigned by the repository.
    public let id: Int64
    /// Display name.
    public var name: String
    /// Category, e.g. `reagents`.
    public var category: String
    /// List price.
    public var price: Money
    /// When the product was created.
    public let createdAt: Date

    /// Creates a product value.
    public init(id: Int64, name: String, category: String, price: Money, createdAt: Date) {
        self.id = id
        self.name = name
        self.category = category
        self.price = price
        self.createdAt = createdAt
    }
}

/// A product with its view count and total cost over a period: all time in lists, the window in leaders.
public struct ProductSummary: Sendable, Hashable {
    /// The product.
    public var product: Product
    /// Views in the period.
    public var views: Int
    /// Sum of the costs in the period.
    public var totalCost: Money

    /// Creates a summary.
    public init(product: Product, views: Int, totalCost: Money) {
        self.product = product
        self.views = views
        self.totalCost = totalCost
    }
}

/// One view of a product by a user.
public struct ProductView: Sendable, Hashable {
    /// The product viewed.
    public var productID: Int64
    /// The viewer (any non-negative id the client uses).
    public var userID: Int64
    /// When it happened.
    public var viewedAt: Date

    /// Creates a view.
    public init(productID: Int64, userID: Int64, viewedAt: Date) {
        self.productID = productID
        self.userID = userID
        self.viewedAt = viewedAt
    }
}

/// One cost incurred for a product.
public struct ProductCost: Sendable, Hashable {
    /// The product the cost belongs to.
    public var productID: Int64
    /// How much, not negative.
    public var amount: Money
    /// What kind of cost, e.g. `shipping`.
    public var kind: String
    /// When it was incurred.
    public var incurredAt: Date

    /// Creates a cost.
    public init(productID: Int64, amount: Money, kind: String, incurredAt: Date) {
        self.productID = productID
        self.amount = amount
        self.kind = kind
        self.incurredAt = incurredAt
    }
}

/// Product-analytics failures a client can act on.
public enum ProductError: Error, Sendable, Hashable {
    /// No product has this id.
    case productNotFound(Int64)
    /// `days` is outside ``AnalyticsWindow/allowedDays``.
    case daysOutOfRange(Int)
    /// `by` names no ``TopMetric``.
    case unknownMetric(String)
    /// The leaders' `limit` is outside ``ProductRules/topLimits``.
    case topLimitOutOfRange(Int)
}
