import ArgumentParser
import AssayDomain
import AssayServer
import Foundation
import Logging

/// What the subcommands share: configuration, logging, a running Postgres client.
enum CommandSupport {
    /// The viewer a command acts as: the operator, with an admin's rights, on behalf of `owner` (what it creates is
    /// theirs).
    static func viewer(owner: String) throws -> Viewer {
        if let problem = UserName.problem(with: owner) { throw ValidationError("--owner \(problem)") }
        return Viewer(user: owner, isAdmin: true)
    }

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

    /// Runs `body` with the adapters the configuration chooses (``Adapters/make(_:logger:metrics:operationTimeout:)``),
    /// their clients running and pending migrations applied, and stops the clients afterwards.
    static func withAdapters<Result: Sendable>(
        _ configuration: AssayConfiguration, operationTimeout: Duration? = nil, _ body: @Sendable (Adapters) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "assay")
        logger.logLevel = configuration.logLevel
        let adapters = try Adapters.make(configuration, logger: logger, operationTimeout: operationTimeout)
        return try await adapters.withServices { adapters in
            try await adapters.prepare(migrate: true)
            return try await body(adapters)
        }
    }
}
