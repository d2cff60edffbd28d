/// One rejected field of an input value: where it is and why it was refused.
public struct FieldError: Sendable, Hashable, Codable {
    /// Location of the field, e.g. `title` or `genes[2].name`.
    public var field: String
    /// Human-readable reason.
    public var reason: String

    /// Creates a field error.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// An input value broke one or more rules; every broken rule is listed.
public struct ValidationError: Error, Sendable, Hashable {
    /// The rejected fields, in input order.
    public var errors: [FieldError]

    /// Creates a validation error from its field errors.
    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}

/// A dependency such as a database cannot be reached; the request may succeed later.
public struct UnavailableError: Error, Sendable, Hashable {
    /// Which dependency is down, e.g. `postgres`.
    public var dependency: String
    /// What went wrong, safe to show to a client.
    public var reason: String

    /// Creates an unavailable error.
    public init(dependency: String, reason: String) {
        self.dependency = dependency
        self.reason = reason
    }
}
