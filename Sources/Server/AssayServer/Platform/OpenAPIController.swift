import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// `GET /openapi.yaml`: the API's OpenAPI document (docs/openapi.yaml), read once when the router is built.
struct OpenAPIController {
    /// The document, or `nil` when the file was not found (the route then answers 404).
    let document: ByteBuffer?
    let path: String

    init(path: String) {
        self.path = path
        self.document = FileManager.default.contents(atPath: path).map { ByteBuffer(data: $0) }
    }

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("/openapi.yaml") { _, _ in
            guard let document else {
                throw Problem(.notFound, detail: "the OpenAPI document is not installed (looked for \(path); set ASSAY_OPENAPI)")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: document))
        }
        return routes
    }
}
