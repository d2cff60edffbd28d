import AssayDomain
import Hummingbird

/// Gene-name resolution as the other controllers use it (`resolve=true` on gene sets, GMT import and enrichment,
/// alias lookups on `GET /genes/{name}`): a ``GeneResolver`` over whichever store the adapters chose.
///
/// A closure rather than a generic parameter, so adding resolution to a controller does not change its type.
struct GeneNames: Sendable {
    let resolveRequest: @Sendable (GeneResolutionRequest) async throws -> GeneResolutionReport

    init(_ resolver: GeneResolver<some GeneReferenceStore>) {
        resolveRequest = { try await resolver.resolve($0) }
    }

    /// Resolves `names` for `species` (a name or taxid, `human` when absent), validating like `POST /genes/resolve`.
    func resolve(_ names: [String], species: String?) async throws -> GeneResolutionReport {
        try await resolveRequest(try GeneResolutionRequest(genes: names, species: species ?? Species.human.name))
    }

    /// Whether a request asks for resolution: `?resolve=true|false` or the body's `resolve` field (the query wins).
    static func isRequested(_ request: Request, body: Bool?) throws -> Bool {
        guard let raw = request.uri.queryParameters.get("resolve") else { return body ?? false }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Problem(.badRequest, detail: "query parameter 'resolve' must be true or false, got '\(raw)'")
        }
    }
}
