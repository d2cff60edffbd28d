import HTTPTypes
import Hummingbird

/// While the server drains (``ShutdownDrain``), every response says `Connection: close` and the connection closes
/// after it: a load balancer's kept-alive connection is not reused for a request that would reach a closing server.
struct DrainMiddleware: RouterMiddleware {
    let drain: ShutdownDrain

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        if drain.isDraining { response.headers[.connection] = "close" }
        return response
    }
}
