public import Hummingbird

/// The request context of every Assay route.
public struct AppRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Largest body the route may read; set from configuration by ``BodyLimitMiddleware``.
    public var maxUploadSize: Int

    /// Creates a context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.maxUploadSize = AssayConfiguration().maxBodyBytes
    }
}
