import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Applies the configured body limits (one for most routes, larger ones for upload routes), counts the request in
/// the metrics, echoes the request id (the one in every log line of the request) as
/// `X-Request-Id`, and logs one line per request with its status and duration.
public struct RequestMiddleware: RouterMiddleware {
    /// Largest accepted body in bytes.
    public let maxBodyBytes: Int
    /// Larger limits for upload routes, by route template (e.g. `/etl`).
    public let uploadLimits: [String: Int]
    /// Where request counts and durations go.
    public let metrics: AppMetrics?

    /// Creates the middleware.
    public init(maxBodyBytes: Int, uploadLimits: [String: Int] = [:], metrics: AppMetrics? = nil) {
        self.maxBodyBytes = maxBodyBytes
        self.uploadLimits = uploadLimits
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var context = context
        let limit = context.endpointPath.flatMap { uploadLimits[$0] } ?? maxBodyBytes
        context.maxUploadSize = limit
        var response: Response
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            var problem = Problem(.contentTooLarge, detail: "the request body is \(length) bytes; the server accepts at most \(limit)")
            problem.headers[.connection] = "close"
            response = try problem.response(from: request, context: context)
        } else {
            response = try await next(request, context)
        }
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - start
        // A matched route's template starts with "/"; anything else (no route) is one label, "unmatched".
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"
        metrics?.recordRequest(method: request.method.rawValue, route: route, status: Int(response.status.code), duration: elapsed)
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ]
        )
        return response
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`.
    static let requestID = fieldName("X-Request-Id")

    /// A field name from a literal known to be a valid token; a typo stops the program at its first use.
    static func fieldName(_ literal: String) -> Self {
        guard let name = Self(literal) else { preconditionFailure("invalid HTTP field name literal \(literal)") }
        return name
    }
}

extension HTTPField.Name {
    /// `Allow`, the methods a route has (with 405).
    static let allow = fieldName("Allow")
    /// `WWW-Authenticate`.
    static let wwwAuthenticate = fieldName("WWW-Authenticate")
}
