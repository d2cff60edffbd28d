import AssayDomain
import Foundation
import Hummingbird
import NIOCore

/// The collection routes: create, list, read and delete collections, GMT files in and out.
struct CollectionController<Repository: CollectionRepository, Store: GeneReferenceStore> {
    let catalog: CollectionCatalog<Repository>
    /// Gene-name resolution for `?resolve=true` imports.
    let resolver: GeneResolver<Store>

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/collections", use: create)
        routes.get("/collections", use: list)
        routes.get("/collections/{id}", use: read)
        routes.patch("/collections/{id}", use: update)
        routes.delete("/collections/{id}", use: delete)
        routes.post("/collections/{id}/gmt", use: importGMT)
        routes.get("/collections/{id}/gmt", use: exportGMT)
        return routes
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CollectionResponse> {
        let body = try await request.decodeJSON(as: CollectionRequest.self, context: context)
        let collection = try await catalog.create(
            name: body.name, description: body.description ?? "", species: try Species.requested(body.species) ?? .human,
            visibility: try Visibility.requested(body.visibility) ?? .private, as: context.viewer)
        return EditedResponse(
            status: .created, headers: [.location: "/collections/\(collection.id)"], response: CollectionResponse(collection))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> PageResponse<CollectionResponse> {
        let page = try await catalog.list(
            limit: try request.integerQuery("limit"), cursor: request.stringQuery("cursor"),
            owner: context.viewer.owner(requested: request.stringQuery("owner")),
            visibility: try Visibility.requested(request.stringQuery("visibility")), as: context.viewer)
        return PageResponse(page, transform: CollectionResponse.init)
    }

    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> CollectionResponse {
        CollectionResponse(try await catalog.collection(id: try context.parameters.id(), as: context.viewer))
    }

    /// `{"visibility": "public"}`: publishes a collection with its sets, or makes them private again.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> CollectionResponse {
        let id = try context.parameters.id()
        let body = try await request.decodeJSON(as: CollectionUpdate.self, context: context)
        guard let visibility = try Visibility.requested(body.visibility) else {
            throw ValidationError([FieldError(field: "visibility", reason: "is required: `private` or `public`")])
        }
        return CollectionResponse(try await catalog.setVisibility(of: id, to: visibility, as: context.viewer))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        try await catalog.delete(id: try context.parameters.id(), as: context.viewer)
        return .noContent
    }

    /// The file as the body (`text/tab-separated-values` or `text/plain`) or as a multipart upload; `?mode=lenient`
    /// skips bad lines instead of refusing the file; `?resolve=true` stores genes under their approved symbols.
    @Sendable func importGMT(_ request: Request, context: AppRequestContext) async throws -> GMTImportResponse {
        let id = try context.parameters.id()
        let mode: GMTImportMode
        switch request.stringQuery("mode")?.lowercased() {
        case nil, "strict": mode = .strict
        case "lenient": mode = .lenient
        case let other?: throw Problem(.badRequest, detail: "query parameter 'mode' must be strict or lenient, got '\(other)'")
        }
        let contentType = request.headers[.contentType] ?? ""
        let boundary = ETLUpload.boundary(contentType: contentType)
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard boundary != nil || ["", "text/tab-separated-values", "text/plain", "application/octet-stream"].contains(mediaType) else {
            throw Problem(
                .unsupportedMediaType,
                detail: "send the GMT file as text/tab-separated-values, text/plain or a multipart/form-data upload, not \(mediaType)")
        }
        let bytes = GMTUploadBytes(body: request.body, boundary: boundary)
        let report =
            try GeneNames.isRequested(request, body: nil)
            ? try await catalog.importGMT(into: id, from: bytes, mode: mode, resolvingWith: resolver, as: context.viewer)
            : try await catalog.importGMT(into: id, from: bytes, mode: mode, as: context.viewer)
        return GMTImportResponse(report, collection: try await catalog.collection(id: id, as: context.viewer), mode: mode)
    }

    /// Streamed as it is read: never built in memory.
    @Sendable func exportGMT(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.id()
        let viewer = context.viewer
        let collection = try await catalog.collection(id: id, as: viewer)
        let catalog = self.catalog
        let fileName = collection.name.unicodeScalars.map {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil) ? Character($0) : "_"
        }
        let body = ResponseBody { writer in
            let (pieces, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(bufferingPolicy: .bufferingOldest(4))
            async let export: Void = {
                do {
                    try await catalog.exportGMT(of: id, as: viewer) { bytes in
                        // Waits while the client is slower than the database, so memory stays bounded.
                        while case .dropped = continuation.yield(bytes) { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }()
            for try await piece in pieces { try await writer.write(ByteBuffer(bytes: piece)) }
            await export
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/tab-separated-values; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(String(fileName)).gmt\"",
            ],
            body: body)
    }
}
