public import Hummingbird
import Logging

/// Turns every error a route throws into an RFC 9457 problem response, and logs server errors.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "status": "\(problem.status.code)"])
            }
            return try problem.response(from: request, context: context)
        }
    }
}
