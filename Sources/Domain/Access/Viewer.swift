/// Who may see an object: its owner and admins, or every reader.
public enum Visibility: String, Sendable, Hashable, CaseIterable, Codable {
    /// Seen by its owner and admins only; to anyone else it does not exist.
    case `private`
    /// Seen by every reader; still changed only by its owner and admins.
    case `public`
}

/// The owner and visibility of a gene set or a collection.
public struct Ownership: Sendable, Hashable {
    /// The user who owns the object (a ``UserName``).
    public var owner: String
    /// Who may see it.
    public var visibility: Visibility

    /// Creates an ownership.
    public init(owner: String, visibility: Visibility) {
        self.owner = owner
        self.visibility = visibility
    }

    /// What existed before objects had owners, and what the seeds are: the admin's, public.
    public static let legacy = Ownership(owner: UserName.admin, visibility: .public)
}

/// The user a use case acts for: what they may see and change.
///
/// Every catalog, collection and enrichment use case takes one. A private object of another user is not found for
/// a viewer who is not an admin; a public object of another user can be read but not changed.
public struct Viewer: Sendable, Hashable {
    /// The user's name (a ``UserName``).
    public var user: String
    /// Whether the user may see and change everything (a token with the `admin` scope).
    public var isAdmin: Bool

    /// Creates a viewer.
    public init(user: String, isAdmin: Bool) {
        self.user = user
        self.isAdmin = isAdmin
    }

    /// The admin user with every right: what the command-line tools and embedding code act as by default.
    public static let system = Viewer(user: UserName.admin, isAdmin: true)

    /// Someone without a token: sees public objects only. Its user name is not a valid ``UserName``, so it owns nothing.
    public static let anonymous = Viewer(user: "-", isAdmin: false)

    /// Whether the viewer may see an object with this ownership.
    public func canSee(_ ownership: Ownership) -> Bool {
        isAdmin || ownership.visibility == .public || ownership.owner == user
    }

    /// Whether the viewer may change or delete an object with this ownership.
    public func canChange(_ ownership: Ownership) -> Bool {
        isAdmin || ownership.owner == user
    }
}

/// Which objects a list returns, by who may see them and by owner and visibility.
public struct VisibilityScope: Sendable, Hashable {
    /// Only objects this viewer may see.
    public var viewer: Viewer
    /// Only objects of this owner, or `nil` for any.
    public var owner: String?
    /// Only objects of this visibility, or `nil` for any.
    public var visibility: Visibility?

    /// Creates a scope; by default every object the system viewer sees, that is all of them.
    public init(viewer: Viewer = .system, owner: String? = nil, visibility: Visibility? = nil) {
        self.viewer = viewer
        self.owner = owner
        self.visibility = visibility
    }

    /// A scope a caller asked for: `owner`, when given, must be a ``UserName`` (a ``ValidationError`` on `owner`
    /// otherwise; `me` is resolved by the caller before).
    public static func requested(viewer: Viewer, owner: String?, visibility: Visibility?) throws(ValidationError) -> VisibilityScope {
        if let owner, let reason = UserName.problem(with: owner) {
            throw ValidationError([FieldError(field: "owner", reason: reason + ", or `me`")])
        }
        return VisibilityScope(viewer: viewer, owner: owner, visibility: visibility)
    }

    /// Whether an object with this ownership is in the scope.
    public func contains(_ ownership: Ownership) -> Bool {
        viewer.canSee(ownership) && (owner.map { $0 == ownership.owner } ?? true)
            && (visibility.map { $0 == ownership.visibility } ?? true)
    }

    /// The viewer's user when they may not see everything: what a query binds to check visibility, `nil` for admins.
    public var restrictedTo: String? { viewer.isAdmin ? nil : viewer.user }
}

/// A change refused because the object belongs to another user: the caller may see it but not change it.
public struct NotOwnerError: Error, Sendable, Hashable {
    /// What the object is: `gene set` or `collection`.
    public var kind: String
    /// Its id.
    public var id: Int64
    /// Its owner.
    public var owner: String

    /// Creates the error.
    public init(kind: String, id: Int64, owner: String) {
        self.kind = kind
        self.id = id
        self.owner = owner
    }
}
