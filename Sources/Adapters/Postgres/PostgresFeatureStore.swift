public import AssayDomain
public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// ``FeatureStore`` on Postgres (tables `etl_runs`, `user_features`, `published_features`; migration 3).
///
/// A run copies its feature rows under its own run id (invisible to readers), then one transaction points
/// `published_features` at it, marks the run a success and deletes every other set. A process killed before
/// that commit leaves only unpublished rows, which the next publication deletes. The run slot is a session
/// advisory lock held on one pooled connection for the whole run: it is released when the run ends or its
/// connection dies, so a killed process never blocks the next run.
public struct PostgresFeatureStore: FeatureStore {
    let database: PostgresGateway

    /// Creates the store over a database; calls it cannot answer within its operation timeout fail with
    /// ``UnavailableError``.
    public init(database: PostgresGateway) {
        self.database = database
    }

    public func withRunSlot<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        // Keyed by schema, so stores in different schemas of one database do not share a slot.
        let lockKey: PostgresQuery = "SELECT hashtext(current_schema() || '.etl_runs')::bigint"
        // The deadline covers taking the slot; the run it holds the slot for has no time limit of its own (each of its
        // own statements has one).
        return try await database.longJob { connection, logger, started in
            var key: Int64 = 0
            for try await value in try await connection.query(lockKey, logger: logger).decode(Int64.self) { key = value }
            var taken = false
            for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) {
                taken = value
            }
            guard taken else { throw ETLError.runInProgress }
            do {
                // Holding the slot, no other run is alive: a run still marked running died with its process.
                try await connection.query(
                    """
                    UPDATE etl_runs SET status = 'failed', finished_at = now(),
                        failure = 'interrupted: the process running it stopped before it finished; nothing was published'
                    WHERE status = 'running'
                    """, logger: logger)
                guard started() else { throw CancellationError() }
                let result = try await body()
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                throw error
            }
        }
    }

    public func createRun(mode: ETLMode, source: String, at time: Date) async throws -> ETLRun {
        let runs = try await fetchRuns(
            """
            INSERT INTO etl_runs (status, mode, source, started_at) VALUES ('running', \(mode.rawValue), \(source), \(time))
            RETURNING \(unescaped: Self.runColumns)
            """)
        guard let run = runs.first else { throw UnexpectedResult(operation: "create an ETL run") }
        return run
    }

    public func updateRun(_ run: ETLRun) async throws {
        let update = try Self.update(run)
        try await database.run { client, logger in _ = try await client.query(update, logger: logger) }
    }

    public func publish(_ features: [UserFeatures], run: ETLRun) async throws {
        var buffer = ByteBuffer()
        for feature in features { Self.writeCopyRow(feature, run: run.id, into: &buffer) }
        let rows = buffer
        let update = try Self.update(run)
        // The deadline covers getting a connection: the COPY's time grows with the run's rows, so it has none.
        try await database.longJob { connection, logger, started in
            guard started() else { throw CancellationError() }
            // Staged: rows under this run's id are invisible until the pointer moves.
            try await connection.query("DELETE FROM user_features WHERE run_id = \(run.id)", logger: logger)
            try await connection.copyFrom(table: "user_features", columns: Self.copyColumns, logger: logger) { writer in
                try await writer.write(rows)
            }
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO published_features (only_row, run_id) VALUES (true, \(run.id))
                    ON CONFLICT (only_row) DO UPDATE SET run_id = excluded.run_id
                    """, logger: logger)
                try await connection.query(update, logger: logger)
                try await connection.query("DELETE FROM user_features WHERE run_id <> \(run.id)", logger: logger)
            }
        }
    }

    public func runs(before beforeID: Int64?, limit: Int) async throws -> [ETLRun] {
        try await fetchRuns(
            """
            SELECT \(unescaped: Self.runColumns) FROM etl_runs WHERE id < \(beforeID ?? Int64.max) ORDER BY id DESC LIMIT \(limit)
            """)
    }

    public func run(id: Int64) async throws -> ETLRun? {
        try await fetchRuns("SELECT \(unescaped: Self.runColumns) FROM etl_runs WHERE id = \(id)").first
    }

    public func features(after userID: Int64?, limit: Int) async throws -> [UserFeatures] {
        try await fetchFeatures(
            """
            SELECT \(unescaped: Self.featureColumns) FROM user_features
            WHERE run_id = (SELECT run_id FROM published_features) AND user_id > \(userID ?? -1)
            ORDER BY user_id LIMIT \(limit)
            """)
    }

    public func features(userID: Int64) async throws -> UserFeatures? {
        try await fetchFeatures(
            """
            SELECT \(unescaped: Self.featureColumns) FROM user_features
            WHERE run_id = (SELECT run_id FROM published_features) AND user_id = \(userID)
            """
        ).first
    }

    // MARK: - Rows

    private static let runColumns = """
        id, status, mode, source, progress, users_read, compounds_read, experiments_read, rows_rejected, features_published, \
        errors::text AS errors, error_count, failure, average_experiments_per_user, started_at, finished_at, read_ms, publish_ms
        """

    private static let copyColumns = [
        "run_id", "user_id", "name", "email", "signup_date", "experiment_count", "total_run_time", "average_run_time",
        "distinct_compounds", "top_compound_id", "top_compound_name", "top_compound_structure", "top_compound_uses", "tied_compounds",
    ]

    private static var featureColumns: String { copyColumns.dropFirst().joined(separator: ", ") }

    private static func update(_ run: ETLRun) throws -> PostgresQuery {
        let errors = String(decoding: try JSONEncoder().encode(run.errors), as: UTF8.self)
        return """
            UPDATE etl_runs SET status = \(run.status.rawValue), progress = \(run.progress), users_read = \(run.counts.users),
                compounds_read = \(run.counts.compounds), experiments_read = \(run.counts.experiments),
                rows_rejected = \(run.counts.rejected), features_published = \(run.counts.published), errors = \(errors)::jsonb,
                error_count = \(run.errorCount), failure = \(run.failure),
                average_experiments_per_user = \(run.averageExperimentsPerUser), finished_at = \(run.finishedAt),
                read_ms = \(run.readMilliseconds), publish_ms = \(run.publishMilliseconds)
            WHERE id = \(run.id)
            """
    }

    private func fetchRuns(_ query: PostgresQuery) async throws -> [ETLRun] {
        return try await database.run { client, logger in
            var runs: [ETLRun] = []
            for try await row in try await client.query(query, logger: logger) {
                let columns = row.makeRandomAccess()
                let status = try columns["status"].decode(String.self)
                let mode = try columns["mode"].decode(String.self)
                var run = ETLRun(
                    id: try columns["id"].decode(Int64.self), mode: ETLMode(rawValue: mode) ?? .strict,
                    source: try columns["source"].decode(String.self), startedAt: try columns["started_at"].decode(Date.self))
                run.status = ETLRunStatus(rawValue: status) ?? .failed
                run.progress = try columns["progress"].decode(Double.self)
                run.counts = ETLCounts(
                    users: try columns["users_read"].decode(Int.self), compounds: try columns["compounds_read"].decode(Int.self),
                    experiments: try columns["experiments_read"].decode(Int.self), rejected: try columns["rows_rejected"].decode(Int.self),
                    published: try columns["features_published"].decode(Int.self))
                run.errors = try JSONDecoder().decode([ETLIssue].self, from: Data(try columns["errors"].decode(String.self).utf8))
                run.errorCount = try columns["error_count"].decode(Int.self)
                run.failure = try columns["failure"].decode(String?.self)
                run.averageExperimentsPerUser = try columns["average_experiments_per_user"].decode(Double?.self)
                run.finishedAt = try columns["finished_at"].decode(Date?.self)
                run.readMilliseconds = try columns["read_ms"].decode(Int?.self)
                run.publishMilliseconds = try columns["publish_ms"].decode(Int?.self)
                runs.append(run)
            }
            return runs
        }
    }

    private func fetchFeatures(_ query: PostgresQuery) async throws -> [UserFeatures] {
        return try await database.run { client, logger in
            var features: [UserFeatures] = []
            for try await row in try await client.query(query, logger: logger) {
                let columns = row.makeRandomAccess()
                var top: Compound?
                if let id = try columns["top_compound_id"].decode(Int64?.self) {
                    top = Compound(
                        id: id, name: try columns["top_compound_name"].decode(String?.self) ?? "",
                        structure: try columns["top_compound_structure"].decode(String?.self) ?? "")
                }
                features.append(
                    UserFeatures(
                        userID: try columns["user_id"].decode(Int64.self), name: try columns["name"].decode(String.self),
                        email: try columns["email"].decode(String.self), signupDate: try columns["signup_date"].decode(Date.self),
                        experimentCount: try columns["experiment_count"].decode(Int.self),
                        totalRunTime: try columns["total_run_time"].decode(Double.self),
                        averageRunTime: try columns["average_run_time"].decode(Double?.self),
                        distinctCompounds: try columns["distinct_compounds"].decode(Int.self), topCompound: top,
                        topCompoundUses: try columns["top_compound_uses"].decode(Int.self),
                        tiedCompounds: try columns["tied_compounds"].decode([Int64].self)))
            }
            return features
        }
    }

    /// One row in COPY's text format. Doubles are written with Swift's shortest round-trip form, so the value
    /// read back is the value written.
    private static func writeCopyRow(_ feature: UserFeatures, run: Int64, into buffer: inout ByteBuffer) {
        let null = "\\N"
        let fields: [String] = [
            "\(run)", "\(feature.userID)", CopyText.escape(feature.name), CopyText.escape(feature.email),
            CopyText.timestamp(feature.signupDate), "\(feature.experimentCount)", "\(feature.totalRunTime)",
            feature.averageRunTime.map { "\($0)" } ?? null, "\(feature.distinctCompounds)",
            feature.topCompound.map { "\($0.id)" } ?? null, feature.topCompound.map { CopyText.escape($0.name) } ?? null,
            feature.topCompound.map { CopyText.escape($0.structure) } ?? null, "\(feature.topCompoundUses)",
            "{" + feature.tiedCompounds.map(String.init).joined(separator: ",") + "}",
        ]
        buffer.writeString(fields.joined(separator: "\t"))
        buffer.writeString("\n")
    }
}
