#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Paging rules shared by every list: a default page, a hard maximum.
public enum PageLimits {
    /// Items per page when the client names no limit.
    public static let defaultLimit = 50
    /// Largest page a client may ask for.
    public static let maximumLimit = 500
}

/// Errors in paging parameters supplied by a client.
public enum PaginationError: Error, Sendable, Hashable {
    /// The limit is below 1 or above ``PageLimits/maximumLimit``.
    case limitOutOfRange(Int)
    /// The cursor was not issued by this list.
    case invalidCursor
}

/// An opaque keyset position: "continue after this key" for one kind of list.
///
/// Clients see it as a URL-safe token; it carries the list's kind so a cursor from one list is refused by another.
public struct Cursor: Sendable, Hashable {
    /// The kind of list the cursor belongs to, e.g. `genesets`.
    public let kind: String
    /// The key of the last item already returned.
    public let afterID: Int64

    /// Creates a cursor positioned after `afterID` in the list `kind`.
    public init(kind: String, afterID: Int64) {
        self.kind = kind
        self.afterID = afterID
    }

    /// The token handed to clients.
    public var token: String {
        let raw = Data("\(kind):\(afterID)".utf8).base64EncodedString()
        return String(raw.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }.filter { $0 != "=" })
    }

    /// Decodes a client token, checking that it belongs to the list `kind`.
    public init(token: String, kind: String) throws(PaginationError) {
        guard token.count <= 64, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw .invalidCursor
        }
        var base64 = String(token.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while base64.count % 4 != 0 { base64.append("=") }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw .invalidCursor
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == kind, let id = Int64(parts[1]), id >= 0 else {
            throw .invalidCursor
        }
        self.init(kind: kind, afterID: id)
    }
}

/// A validated page request: how many items, and where to start.
public struct PageRequest: Sendable, Hashable {
    /// Items wanted, 1...``PageLimits/maximumLimit``.
    public let limit: Int
    /// Start after this key; `nil` starts at the beginning.
    public let afterID: Int64?

    /// Validates a client's limit and cursor token for the list `kind`.
    public init(limit: Int?, cursor: String?, kind: String) throws(PaginationError) {
        let limit = limit ?? PageLimits.defaultLimit
        guard (1...PageLimits.maximumLimit).contains(limit) else { throw .limitOutOfRange(limit) }
        self.limit = limit
        if let cursor, !cursor.isEmpty {
            self.afterID = try Cursor(token: cursor, kind: kind).afterID
        } else {
            self.afterID = nil
        }
    }

    /// A page request from trusted code (tests, tools); `limit` is clamped to the allowed range.
    public init(limit: Int = PageLimits.defaultLimit, afterID: Int64? = nil) {
        self.limit = min(max(limit, 1), PageLimits.maximumLimit)
        self.afterID = afterID
    }
}

/// One page of a keyset-paginated list.
public struct Page<Item: Sendable>: Sendable {
    /// The items of this page, in list order.
    public var items: [Item]
    /// Token for the next page, `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched items: the extra item only proves there is a next page.
    public init(fetched: [Item], limit: Int, kind: String, key: (Item) -> Int64) {
        if fetched.count > limit {
            let items = Array(fetched.prefix(limit))
            self.items = items
            self.nextCursor = items.last.map { Cursor(kind: kind, afterID: key($0)).token }
        } else {
            self.items = fetched
            self.nextCursor = nil
        }
    }
}

extension Page: Equatable where Item: Equatable {}
