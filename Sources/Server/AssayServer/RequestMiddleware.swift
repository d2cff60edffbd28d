import Foundation
import HTTPTypes
import Logging
public import Hummingbird

/// Applies the configured body limit, echoes the request id (the one in every log line of the request) as
/// `X-Request-Id`, and logs one line per request with its status and duration.
public struct RequestMiddleware: RouterMiddleware {
    /// Largest accepted body in bytes.
    public let maxBodyBytes: Int

    /// Creates the middleware.
    public init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    public func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.maxUploadSize = maxBodyBytes
        var response: Response
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            var problem = Problem(.contentTooLarge, detail: "the request body is \(length) bytes; the server accepts at most \(maxBodyBytes)")
            problem.headers[.connection] = "close"
            response = try problem.response(from: request, context: context)
        } else {
            response = try await next(request, context)
        }
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - start
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
    /// `WWW-Authenticate`.
    static let wwwAuthenticate = fieldName("WWW-Authenticate")
}
