import Foundation
import Testing
import Yams

/// The repository's deploy/ directory.
private let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("deploy").path

/// Runs deploy/entrypoint.sh with a stand-in `assay` that logs its arguments (one call a line) and fails
/// `migrate` the first `failMigrations` times.
private func entrypoint(_ environment: [String: String], failMigrations: Int = 0, arguments: [String] = []) async throws
    -> (status: Int32, calls: [String], output: String)
{
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("assay-entrypoint-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let fake = work + "/assay"
    try """
    #!/bin/sh
    echo "$*" >> \(work)/calls
    if [ "$1" = migrate ]; then
        count=$(cat \(work)/failures 2>/dev/null || echo 0)
        if [ "$count" -lt \(failMigrations) ]; then echo $((count + 1)) > \(work)/failures; exit 1; fi
    fi
    exit 0
    """.write(toFile: fake, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
    let environment = ["PATH": "/usr/bin:/bin", "ASSAY_BIN": fake, "ASSAY_MIGRATE_RETRY_SECONDS": "0"].merging(environment) { $1 }
    let result = try await Subprocess(["sh", deploy + "/entrypoint.sh"] + arguments, environment: environment).finish()
    let calls = (try? String(contentsOfFile: work + "/calls", encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    return (result.status, calls, result.output)
}

@Suite("Deploy files")
struct DeployTests {
    @Test func composeRunsAssayPostgresAndRedisWithHealthchecksAndVolumes() throws {
        let text = try String(contentsOfFile: deploy + "/docker-compose.yml", encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any], "docker-compose.yml is not a YAML mapping")
        let services = try #require(compose["services"] as? [String: Any])
        #expect(Set(services.keys) == ["assay", "postgres", "redis"])
        let assay = try #require(services["assay"] as? [String: Any])
        let dependsOn = try #require(assay["depends_on"] as? [String: [String: String]])
        #expect(dependsOn["postgres"]?["condition"] == "service_healthy" && dependsOn["redis"]?["condition"] == "service_healthy")
        let environment = try #require(assay["environment"] as? [String: String])
        #expect(environment["ASSAY_POSTGRES_URL"]?.hasPrefix("postgres://") == true)
        #expect(environment["ASSAY_REDIS_URL"]?.hasPrefix("redis://") == true)
        for name in ["postgres", "redis"] {
            let service = try #require(services[name] as? [String: Any])
            #expect((service["healthcheck"] as? [String: Any])?["test"] != nil, "\(name) has no healthcheck")
            #expect((service["volumes"] as? [String])?.isEmpty == false, "\(name) keeps no data")
        }
        let volumes = try #require(compose["volumes"] as? [String: Any?])
        #expect(volumes.keys.contains("postgres-data") && volumes.keys.contains("redis-data"))
        let build = try #require(assay["build"] as? [String: Any])
        #expect(FileManager.default.fileExists(atPath: deploy + "/" + URL(fileURLWithPath: build["dockerfile"] as? String ?? "").lastPathComponent))
    }

    /// Both docker-compose 1.29 and compose v2 take the files (no top-level `name:`), the images default to the official
    /// ones through variables, and every published port is on 127.0.0.1.
    @Test func composeFilesWorkWithComposeV1AndPublishOnLoopbackOnly() throws {
        for file in ["docker-compose.yml", "docker-compose.scale.yml"] {
            let text = try String(contentsOfFile: deploy + "/" + file, encoding: .utf8)
            let compose = try #require(try Yams.load(yaml: text) as? [String: Any], "\(file) is not a YAML mapping")
            #expect(compose["name"] == nil, "\(file): docker-compose 1.29 refuses a top-level name")
            let services = try #require(compose["services"] as? [String: Any])
            for (name, value) in services {
                let service = try #require(value as? [String: Any])
                for port in service["ports"] as? [String] ?? [] {
                    #expect(port.hasPrefix("127.0.0.1:"), "\(file): \(name) publishes \(port) beyond loopback")
                }
            }
        }
        let compose = try String(contentsOfFile: deploy + "/docker-compose.yml", encoding: .utf8)
        for image in ["${POSTGRES_IMAGE:-postgres:15-bookworm}", "${REDIS_IMAGE:-redis:7-bookworm}", "${SWIFT_IMAGE:-swift:6.2-bookworm}"] {
            #expect(compose.contains(image), "\(image) is not in docker-compose.yml")
        }
        let dockerfile = try String(contentsOfFile: deploy + "/Dockerfile", encoding: .utf8)
        #expect(dockerfile.contains("ARG SWIFT_IMAGE=swift:6.2-bookworm") && dockerfile.contains("ARG RUNTIME_IMAGE=debian:bookworm-slim"))
    }

    @Test func dockerfileBuildsStaticallyAndRunsAsAnUnprivilegedUserWithAHealthcheck() throws {
        let text = try String(contentsOfFile: deploy + "/Dockerfile", encoding: .utf8)
        #expect(text.contains("--static-swift-stdlib"))
        let stages = text.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(stages == ["FROM ${SWIFT_IMAGE} AS build", "FROM ${RUNTIME_IMAGE} AS docs", "FROM ${RUNTIME_IMAGE}"], "build, docs, runtime")
        #expect(text.contains("ASSAY_DOCS_ASSETS=/app/docs-assets") && text.contains("COPY --from=docs"))
        #expect(text.contains("\nUSER assay\n") && text.contains("HEALTHCHECK"))
        #expect(text.contains("ENTRYPOINT [\"/app/entrypoint.sh\"]"))
    }

    @Test func entrypointMigratesThenServesAndPassesArguments() async throws {
        let result = try await entrypoint(["ASSAY_POSTGRES_URL": "postgres://db/assay"], failMigrations: 2, arguments: ["--log-level", "debug"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.calls == ["migrate", "migrate", "migrate", "serve --log-level debug"])
    }

    @Test func entrypointWithoutPostgresOnlyServes() async throws {
        let result = try await entrypoint([:])
        #expect(result.status == 0 && result.calls == ["serve"])
    }

    @Test func entrypointGivesUpWhenMigrationsKeepFailing() async throws {
        let result = try await entrypoint(["ASSAY_POSTGRES_URL": "postgres://db/assay", "ASSAY_MIGRATE_ATTEMPTS": "3"], failMigrations: 99)
        #expect(result.status == 1)
        #expect(result.calls == ["migrate", "migrate", "migrate"])
        #expect(result.output.contains("not starting the server"))
    }

    @Test func entrypointWritesADevelopmentCertificateOnlyWhenAskedAndMissing() async throws {
        let certs = FileManager.default.temporaryDirectory.appendingPathComponent("assay-certs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let asked = try await entrypoint(["ASSAY_TLS_SELF_SIGNED": "true", "ASSAY_TLS_CERT": certs + "/cert.pem"])
        #expect(asked.calls == ["cert self-signed --out \(certs)", "serve"])
        let notAsked = try await entrypoint(["ASSAY_TLS_CERT": certs + "/cert.pem"])
        #expect(notAsked.calls == ["serve"])
    }

    /// docs/operations.md lists every `ASSAY_*` variable and every `serve` flag the code reads.
    @Test func operationsGuideDocumentsEverySetting() throws {
        let root = URL(fileURLWithPath: deploy).deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let sources = try ["Sources/Server/AssayServer/Platform/AssayConfiguration.swift", "Sources/Server/assay/Serve.swift"].map {
            try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)
        }.joined()
        let variables = Set(sources.matches(of: /"(ASSAY_[A-Z_]+)"/).map { String($0.1) })
        #expect(variables.count >= 15)
        for variable in variables.sorted() { #expect(guide.contains("`\(variable)`"), "\(variable) is not in docs/operations.md") }
        // A flag is its custom long name, or its property name in kebab case (argument-parser's default).
        let options = sources.matches(of: /@(?:Option|Flag)\((?:name: \.customLong\("([a-z-]+)"\), )?help:[^\n]*\n\s*var (\w+)/)
        let flags = options.map { match in
            match.1.map(String.init) ?? String(match.2).replacing(/[A-Z]+/) { "-" + $0.output.lowercased() }
        }
        #expect(flags.count >= 12)
        for flag in flags.sorted() { #expect(guide.contains("`--\(flag)`"), "--\(flag) is not in docs/operations.md") }
    }
}
