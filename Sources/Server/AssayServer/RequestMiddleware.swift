import HTTPTypes
public import Hummingbird

/// Echoes the request id (the one in every log line of the request) as `X-Request-Id`, and applies the
/// configured body limit to the request context.
public struct RequestMiddleware: RouterMiddleware {
    /// Largest accepted body in bytes.
    public let maxBodyBytes: Int

    /// Creates the middleware.
    public init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    public func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxBodyBytes
        let requestID = context.id
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            var problem = Problem(.contentTooLarge, detail: "the request body is \(length) bytes; the server accepts at most \(maxBodyBytes)")
            problem.headers[.requestID] = requestID
            problem.headers[.connection] = "close"
            return try problem.response(from: request, context: context)
        }
        var response = try await next(request, context)
        response.headers[.requestID] = requestID
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
