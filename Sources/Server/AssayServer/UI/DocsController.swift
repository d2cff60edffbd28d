import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Swagger UI's distribution files, read once from the configured directory when the router is built
/// (scripts/fetch-docs-assets.sh puts them in `.data/swagger-ui`).
struct DocsAssets: Sendable {
    /// The files `/docs/assets/{file}` serves and their media types; nothing else in the directory is served.
    static let mediaTypes: [String: String] = [
        "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
        "swagger-ui.css": "text/css; charset=utf-8",
        "favicon-32x32.png": "image/png",
        "LICENSE": "text/plain; charset=utf-8",
    ]
    /// The files without which `/docs` cannot work.
    static let required = ["swagger-ui-bundle.js", "swagger-ui.css"]

    /// Where the files were looked for.
    let directory: String
    /// The files found, by name.
    let files: [String: ByteBuffer]

    init(directory: String) {
        self.directory = directory
        var files: [String: ByteBuffer] = [:]
        for name in Self.mediaTypes.keys {
            if let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) {
                files[name] = ByteBuffer(data: data)
            }
        }
        self.files = files
    }

    /// The 503 problem `/docs` answers while the files are missing.
    var missingProblem: Problem? {
        let missing = Self.required.filter { files[$0] == nil }
        guard !missing.isEmpty else { return nil }
        return Problem(
            .serviceUnavailable,
            detail: "Swagger UI's files are not installed (looked for \(missing.joined(separator: ", ")) in \(directory)): "
                + "run scripts/fetch-docs-assets.sh, or set ASSAY_DOCS_ASSETS to the directory that holds them")
    }
}

/// `GET /docs`: interactive documentation of the served OpenAPI document (Swagger UI, from the server's own files;
/// no CDN). The page and its files need no token; the requests its "Try it out" sends carry the one given to
/// "Authorize".
struct DocsController {
    let assets: DocsAssets

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("/docs") { _, _ in
            if let problem = assets.missingProblem { throw problem }
            return Response.ui(Self.page, contentType: "text/html; charset=utf-8", cache: "no-cache")
        }
        routes.get("/docs/init.js") { _, _ in
            Response.ui(Self.initializer, contentType: "text/javascript; charset=utf-8", cache: "no-cache")
        }
        routes.get("/docs/assets/{file}") { _, context in
            let name = context.parameters.get("file") ?? ""
            guard let mediaType = DocsAssets.mediaTypes[name] else {
                throw Problem(.notFound, detail: "no documentation file named \(name)")
            }
            guard let file = assets.files[name] else {
                throw assets.missingProblem
                    ?? Problem(.notFound, detail: "\(name) is not installed in \(assets.directory); run scripts/fetch-docs-assets.sh")
            }
            return Response.ui(file, contentType: mediaType, cache: "public, max-age=3600")
        }
        return routes
    }

    /// The page: Swagger UI's stylesheet and bundle, then our initializer; no inline script, so the policy can forbid it.
    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Assay API</title>
        <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
        <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
        </head>
        <body>
        <div id="swagger-ui"></div>
        <script src="/docs/assets/swagger-ui-bundle.js"></script>
        <script src="/docs/init.js"></script>
        </body>
        </html>

        """

    /// Swagger UI's initializer (what its index.html does inline): the served document, no validator badge (it would
    /// call swagger.io), the authorization kept only as long as the page (never in storage).
    static let initializer = """
        "use strict";
        window.ui = SwaggerUIBundle({
          url: "/openapi.yaml",
          dom_id: "#swagger-ui",
          presets: [SwaggerUIBundle.presets.apis],
          layout: "BaseLayout",
          deepLinking: true,
          validatorUrl: null,
          persistAuthorization: false,
          displayRequestDuration: true,
          defaultModelsExpandDepth: 0
        });

        """
}
