/// Limits of product, view and cost input.
public enum ProductRules {
    /// Longest product name, in characters.
    public static let maximumNameLength = 200
    /// Longest category or cost kind, in characters.
    public static let maximumLabelLength = 100
    /// Largest price or single cost: ten million currency units, in cents.
    public static let maximumAmountCents: Int64 = 1_000_000_000
    /// Leaders returned when the client names no limit.
    public static let defaultTopLimit = 10
    /// Allowed number of leaders.
    public static let topLimits = 1...100

    /// `text` trimmed when it is 1...`maximum` characters without control characters, else a field error.
    static func label(_ text: String, field: String, maximum: Int, into errors: inout [FieldError]) -> String {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            errors.append(FieldError(field: field, reason: "must not be empty"))
        } else if trimmed.count > maximum {
            errors.append(FieldError(field: field, reason: "must be at most \(maximum) characters"))
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError(field: field, reason: "must not contain control characters"))
        }
        return trimmed
    }

    /// The cents of a client amount, or a field error.
    static func amount(_ value: Double, field: String, into errors: inout [FieldError]) -> Money {
        guard let cents = Money.cents(of: value, maximum: maximumAmountCents) else {
            errors.append(
                FieldError(field: field, reason: "must be a number from 0 to \(maximumAmountCents / 100) with at most two decimal places"))
            return Money(cents: 0)
        }
        return Money(cents: cents)
    }
}

/// A validated new product: trimmed name and category, a price in cents.
public struct ProductDraft: Sendable, Hashable {
    /// Trimmed name, 1...``ProductRules/maximumNameLength`` characters.
    public let name: String
    /// Trimmed category, 1...``ProductRules/maximumLabelLength`` characters.
    public let category: String
    /// The price.
    public let price: Money

    /// Validates client input; throws one ``ValidationError`` listing every broken field.
    public init(name: String, category: String, price: Double) throws(ValidationError) {
        var errors: [FieldError] = []
        self.name = ProductRules.label(name, field: "name", maximum: ProductRules.maximumNameLength, into: &errors)
        self.category = ProductRules.label(category, field: "category", maximum: ProductRules.maximumLabelLength, into: &errors)
        self.price = ProductRules.amount(price, field: "price", into: &errors)
        guard errors.isEmpty else { throw ValidationError(errors) }
    }

    /// A draft from trusted code (synthetic data); the values are used as given.
    public init(trustedName name: String, category: String, price: Money) {
        self.name = name
        self.category = category
        self.price = price
    }
}

/// A validated view to record: the viewer's id.
public struct ViewDraft: Sendable, Hashable {
    /// The viewer, not negative.
    public let userID: Int64

    /// Validates client input: `user_id` must not be negative.
    public init(userID: Int64) throws(ValidationError) {
        guard userID >= 0 else { throw ValidationError([FieldError(field: "user_id", reason: "must be a non-negative integer")]) }
        self.userID = userID
    }
}

/// A validated cost to record: an amount in cents and a trimmed kind.
public struct CostDraft: Sendable, Hashable {
    /// The amount.
    public let amount: Money
    /// Trimmed kind, 1...``ProductRules/maximumLabelLength`` characters.
    public let kind: String

    /// Validates client input; throws one ``ValidationError`` listing every broken field.
    public init(amount: Double, kind: String) throws(ValidationError) {
        var errors: [FieldError] = []
        self.amount = ProductRules.amount(amount, field: "amount", into: &errors)
        self.kind = ProductRules.label(kind, field: "kind", maximum: ProductRules.maximumLabelLength, into: &errors)
        guard errors.isEmpty else { throw ValidationError(errors) }
    }
}
