import ArgumentParser
import AssayPostgres
import AssayServer
import Foundation
import Logging
import PostgresNIO

/// What the subcommands share: configuration, logging, a running Postgres client.
enum CommandSupport {
    /// Resolves flags over the environment and bootstraps logging at the configured level.
    static func configuration(_ flags: AssayConfiguration.Overrides = .init()) throws -> AssayConfiguration {
        let configuration: AssayConfiguration
        do {
            configuration = try AssayConfiguration.resolve(flags, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                configuration.logFormat == .text
                ? StreamLogHandler.standardError(label: label) : StructuredLogHandler(label: label, format: configuration.logFormat)
            handler.logLevel = configuration.logLevel
            return handler
        }
        return configuration
    }

    /// Runs `body` with a running client for the configured Postgres, shutting it down afterwards.
    static func withPostgres<Result: Sendable>(
        _ configuration: AssayConfiguration,
        _ body: @Sendable (PostgresClient, Logger) async throws -> Result
    ) async throws -> Result {
        guard let url = configuration.postgresURL else {
            throw ValidationError("no database configured: set ASSAY_POSTGRES_URL or pass --postgres-url")
        }
        var logger = Logger(label: "assay")
        logger.logLevel = configuration.logLevel
        let client = PostgresClient(configuration: try PostgresSettings(url: url, poolSize: configuration.postgresPoolSize).client)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client, logger)
        }
    }
}
