public import AssayDomain
import AssayFiles
import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// The user-features routes of SPEC §3: start an ETL run, its history, and the published features.
struct FeatureController<Store: FeatureStore> {
    let etl: FeatureETL<Store>
    /// Directory `POST /etl` reads when nothing is uploaded; `nil` requires an upload.
    let dataDirectory: String?
    /// Where finished runs are counted.
    let metrics: AppMetrics

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("/etl", use: start)
        routes.get("/etl/runs", use: runs)
        routes.get("/etl/runs/{id}", use: run)
        routes.get("/features", use: features)
        routes.get("/features/{user_id}", use: userFeatures)
        return routes
    }

    /// `POST /etl[?wait=true][&mode=lenient]`: from the configured directory, or from three uploaded files.
    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let mode = try Self.mode(request)
        let wait = try Self.flag(request, "wait")
        let upload: String?
        let input: DirectoryETLInput
        if let contentType = request.headers[.contentType] {
            guard let boundary = ETLUpload.boundary(contentType: contentType) else {
                throw Problem(
                    .unsupportedMediaType,
                    detail: "send the three files as multipart/form-data, or no body to read the server's data directory")
            }
            let directory = try await ETLUpload.receive(request.body, boundary: boundary, limit: context.maxUploadSize)
            upload = directory
            input = DirectoryETLInput(directory: directory, source: "upload")
        } else {
            upload = nil
            guard let dataDirectory else {
                throw Problem(.badRequest, detail: "the server has no ETL data directory (ASSAY_ETL_DATA); upload the files as multipart/form-data")
            }
            input = DirectoryETLInput(directory: dataDirectory)
        }
        let cleanUp: @Sendable () -> Void = { if let upload { try? FileManager.default.removeItem(atPath: upload) } }

        if wait {
            defer { cleanUp() }
            let run = try await etl.run(input, mode: mode)
            metrics.recordETL(run)
            guard run.status == .success else { return try RunFailure(run: run).response() }
            return try jsonResponse(RunEnvelope(run: run), status: .ok)
        }
        let started: (run: ETLRun, finished: Task<ETLRun, any Error>)
        do {
            started = try await etl.start(input, mode: mode)
        } catch {
            cleanUp()
            throw error
        }
        let metrics = self.metrics
        Task {
            if let run = try? await started.finished.value { metrics.recordETL(run) }
            cleanUp()
        }
        var response = try jsonResponse(RunEnvelope(run: started.run), status: .accepted)
        response.headers[.location] = "/etl/runs/\(started.run.id)"
        return response
    }

    @Sendable func runs(_ request: Request, context: AppRequestContext) async throws -> PageResponse<RunResponse> {
        let page = try await etl.runs(limit: try request.integerQuery("limit"), cursor: request.stringQuery("cursor"))
        return PageResponse(page, transform: RunResponse.init)
    }

    @Sendable func run(_ request: Request, context: AppRequestContext) async throws -> RunResponse {
        RunResponse(try await etl.run(id: try context.parameters.id()))
    }

    @Sendable func features(_ request: Request, context: AppRequestContext) async throws -> PageResponse<FeaturesResponse> {
        let page = try await etl.features(limit: try request.integerQuery("limit"), cursor: request.stringQuery("cursor"))
        return PageResponse(page, transform: FeaturesResponse.init)
    }

    @Sendable func userFeatures(_ request: Request, context: AppRequestContext) async throws -> FeaturesResponse {
        let raw = context.parameters.get("user_id") ?? ""
        guard let userID = Int64(raw), userID >= 0 else {
            throw Problem(.badRequest, detail: "'\(raw)' is not a valid user id; user ids are non-negative integers")
        }
        return FeaturesResponse(try await etl.features(userID: userID))
    }

    // MARK: - Query parameters and bodies

    private static func mode(_ request: Request) throws -> ETLMode {
        if try flag(request, "lenient") { return .lenient }
        guard let raw = request.stringQuery("mode") else { return .strict }
        guard let mode = ETLMode(rawValue: raw.lowercased()) else {
            throw Problem(.badRequest, detail: "query parameter 'mode' must be strict or lenient, got '\(raw)'")
        }
        return mode
    }

    private static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let raw = request.stringQuery(name) else { return false }
        switch raw.lowercased() {
        case "", "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Problem(.badRequest, detail: "query parameter '\(name)' must be true or false, got '\(raw)'")
        }
    }
}

/// A JSON response with sorted keys and ISO 8601 dates, like every other body of the API.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status, contentType: String = "application/json") throws -> Response {
    Response(
        status: status, headers: [.contentType: contentType],
        body: .init(byteBuffer: ByteBuffer(bytes: try AppRequestContext.makeEncoder().encode(value))))
}

/// `{"status": "success", "run": {...}}`.
struct RunEnvelope: Encodable {
    let status: String
    let run: RunResponse

    init(run: ETLRun) {
        self.status = run.status.rawValue
        self.run = RunResponse(run)
    }
}

/// A failed run answered to `POST /etl?wait=true`: an RFC 9457 problem (422) that carries the run and its report.
struct RunFailure: Encodable {
    let type = "about:blank"
    let title = HTTPResponse.Status.unprocessableContent.reasonPhrase
    let status = Int(HTTPResponse.Status.unprocessableContent.code)
    let detail: String
    let run: RunResponse

    init(run: ETLRun) {
        self.detail = run.failure ?? "the run failed"
        self.run = RunResponse(run)
    }

    func response() throws -> Response {
        try jsonResponse(self, status: .unprocessableContent, contentType: "application/problem+json")
    }
}

/// An ETL run as the API shows it.
struct RunResponse: ResponseEncodable {
    struct Counts: Encodable {
        let users, compounds, experiments, rejected, published: Int
    }

    let id: Int64
    let status: String
    let mode: String
    let source: String
    let progress: Double
    let rowsRead: Int
    let rowsRejected: Int
    let counts: Counts
    let errors: [ETLIssue]
    let errorCount: Int
    let failure: String?
    let averageExperimentsPerUser: Double?
    let startedAt: Date
    let finishedAt: Date?
    let readMs: Int?
    let publishMs: Int?

    init(_ run: ETLRun) {
        id = run.id
        status = run.status.rawValue
        mode = run.mode.rawValue
        source = run.source
        progress = run.progress
        rowsRead = run.counts.read
        rowsRejected = run.counts.rejected
        counts = Counts(
            users: run.counts.users, compounds: run.counts.compounds, experiments: run.counts.experiments, rejected: run.counts.rejected,
            published: run.counts.published)
        errors = run.errors
        errorCount = run.errorCount
        failure = run.failure
        averageExperimentsPerUser = run.averageExperimentsPerUser
        startedAt = run.startedAt
        finishedAt = run.finishedAt
        readMs = run.readMilliseconds
        publishMs = run.publishMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case id, status, mode, source, progress, counts, errors, failure
        case rowsRead = "rows_read"
        case rowsRejected = "rows_rejected"
        case errorCount = "error_count"
        case averageExperimentsPerUser = "average_experiments_per_user"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case readMs = "read_ms"
        case publishMs = "publish_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(mode, forKey: .mode)
        try container.encode(source, forKey: .source)
        try container.encode(progress, forKey: .progress)
        try container.encode(counts, forKey: .counts)
        try container.encode(errors, forKey: .errors)
        try container.encode(failure, forKey: .failure)
        try container.encode(rowsRead, forKey: .rowsRead)
        try container.encode(rowsRejected, forKey: .rowsRejected)
        try container.encode(errorCount, forKey: .errorCount)
        try container.encode(averageExperimentsPerUser, forKey: .averageExperimentsPerUser)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(readMs, forKey: .readMs)
        try container.encode(publishMs, forKey: .publishMs)
    }
}

/// One user's features as the API shows them (and `assay etl --json` prints them).
public struct FeaturesResponse: ResponseEncodable, Sendable {
    let userID: Int64
    let name: String
    let email: String
    let signupDate: Date
    let experimentCount: Int
    let totalRunTime: Double
    let averageRunTime: Double?
    let distinctCompounds: Int
    let topCompound: Compound?
    let topCompoundUses: Int
    let tiedCompounds: [Int64]

    /// The API form of a feature row.
    public init(_ features: UserFeatures) {
        userID = features.userID
        name = features.name
        email = features.email
        signupDate = features.signupDate
        experimentCount = features.experimentCount
        totalRunTime = features.totalRunTime
        averageRunTime = features.averageRunTime
        distinctCompounds = features.distinctCompounds
        topCompound = features.topCompound
        topCompoundUses = features.topCompoundUses
        tiedCompounds = features.tiedCompounds
    }

    enum CodingKeys: String, CodingKey {
        case name, email
        case userID = "user_id"
        case signupDate = "signup_date"
        case experimentCount = "experiment_count"
        case totalRunTime = "total_run_time"
        case averageRunTime = "avg_run_time"
        case distinctCompounds = "distinct_compounds"
        case topCompound = "top_compound"
        case topCompoundUses = "top_compound_uses"
        case tiedCompounds = "tied_compounds"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userID, forKey: .userID)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(signupDate, forKey: .signupDate)
        try container.encode(experimentCount, forKey: .experimentCount)
        try container.encode(totalRunTime, forKey: .totalRunTime)
        try container.encode(averageRunTime, forKey: .averageRunTime)
        try container.encode(distinctCompounds, forKey: .distinctCompounds)
        try container.encode(topCompound, forKey: .topCompound)
        try container.encode(topCompoundUses, forKey: .topCompoundUses)
        try container.encode(tiedCompounds, forKey: .tiedCompounds)
    }
}
