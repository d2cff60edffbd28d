import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AssayServer

@Suite("Configuration and start-up")
struct ConfigurationTests {
    @Test func flagsBeatEnvironmentBeatDefaults() throws {
        let defaults = try AssayConfiguration.resolve(environment: [:])
        #expect(defaults.analyticsCacheSeconds == 30)
        #expect(try AssayConfiguration.resolve(environment: ["ASSAY_ANALYTICS_CACHE_SECONDS": "0"]).analyticsCacheSeconds == 0)
        #expect(defaults.port == 8000 && defaults.host == "127.0.0.1" && defaults.seedsDirectory == "seeds")
        let environment = ["ASSAY_PORT": "9001", "ASSAY_HOST": "0.0.0.0", "ASSAY_SEEDS": "", "ASSAY_LOG_LEVEL": "DEBUG"]
        let fromEnvironment = try AssayConfiguration.resolve(environment: environment)
        #expect(fromEnvironment.port == 9001 && fromEnvironment.host == "0.0.0.0")
        #expect(fromEnvironment.seedsDirectory == nil && fromEnvironment.logLevel == .debug)
        let fromFlags = try AssayConfiguration.resolve(.init(port: 7000, seedsDirectory: "other"), environment: environment)
        #expect(fromFlags.port == 7000 && fromFlags.seedsDirectory == "other" && fromFlags.host == "0.0.0.0")
    }

    @Test func invalidValuesNameTheSetting() {
        #expect(throws: AssayConfiguration.InvalidSetting(name: "ASSAY_PORT", value: "eighty", expected: "a port 0...65535")) {
            try AssayConfiguration.resolve(environment: ["ASSAY_PORT": "eighty"])
        }
        #expect(throws: AssayConfiguration.InvalidSetting.self) { try AssayConfiguration.resolve(.init(port: 70_000), environment: [:]) }
        #expect(throws: AssayConfiguration.InvalidSetting.self) { try AssayConfiguration.resolve(environment: ["ASSAY_MAX_BODY_BYTES": "10"]) }
        #expect(throws: AssayConfiguration.InvalidSetting.self) { try AssayConfiguration.resolve(environment: ["ASSAY_LOG_LEVEL": "loud"]) }
        #expect(throws: AssayConfiguration.InvalidSetting.self) {
            try AssayConfiguration.resolve(environment: ["ASSAY_ANALYTICS_CACHE_SECONDS": "-1"])
        }
    }

    @Test func serverStartsWithTheShippedDemoSeeds() async throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("seeds").path
        var configuration = AssayConfiguration()
        configuration.seedsDirectory = seeds
        configuration.logLevel = .warning
        configuration.adminToken = testAdminSecret
        let app = try await buildApplication(configuration)
        try await app.test(.router) { client in
            let client = AuthorizedClient(base: client)
            let search = try json(try await client.execute(uri: "/genesets/search/great", method: .get))
            #expect((search["items"] as? [[String: Any]])?.contains { $0["title"] as? String == "Great Genes" } == true)
            let list = try json(try await client.execute(uri: "/genesets?limit=500", method: .get))
            #expect(((list["items"] as? [Any])?.count ?? 0) >= 5)
        }
    }

    @Test func liveServerAnswersOverARealSocket() async throws {
        let app = try await buildApplication(liveConfiguration())
        try await app.test(.live) { client in
            let client = AuthorizedClient(base: client)
            let id = try await client.createGeneset("Live", ["BRCA1"])
            let read = try await client.execute(uri: "/genesets/\(id)", method: .get)
            #expect(read.status == .ok)
        }
    }
}

@Suite("Redis and public API settings")
struct RedisConfigurationTests {
    @Test func redisURLAndPublicAPIFollowThePrecedence() throws {
        let environment = ["ASSAY_REDIS_URL": "redis://:secret@127.0.0.1:6380/2", "ASSAY_API_PUBLIC": "TRUE"]
        let fromEnvironment = try AssayConfiguration.resolve(environment: environment)
        #expect(fromEnvironment.redisURL == "redis://:secret@127.0.0.1:6380/2" && fromEnvironment.apiPublic)
        let fromFlags = try AssayConfiguration.resolve(.init(redisURL: "redis://other", apiPublic: false), environment: environment)
        #expect(fromFlags.redisURL == "redis://other" && !fromFlags.apiPublic)
        let defaults = try AssayConfiguration.resolve(environment: ["ASSAY_REDIS_URL": ""])
        #expect(defaults.redisURL == nil && !defaults.apiPublic)
        #expect(throws: AssayConfiguration.InvalidSetting(name: "ASSAY_API_PUBLIC", value: "maybe", expected: "true or false")) {
            try AssayConfiguration.resolve(environment: ["ASSAY_API_PUBLIC": "maybe"])
        }
    }

    @Test func redisPoolSizeFollowsThePrecedenceWithinItsRange() throws {
        #expect(try AssayConfiguration.resolve(environment: [:]).redisPoolSize == 4)
        #expect(try AssayConfiguration.resolve(environment: ["ASSAY_REDIS_POOL_SIZE": "2"]).redisPoolSize == 2)
        #expect(try AssayConfiguration.resolve(.init(redisPoolSize: 1), environment: ["ASSAY_REDIS_POOL_SIZE": "2"]).redisPoolSize == 1)
        for raw in ["0", "65", "two"] {
            #expect(throws: AssayConfiguration.InvalidSetting(name: "ASSAY_REDIS_POOL_SIZE", value: raw, expected: "a pool size 1...64")) {
                try AssayConfiguration.resolve(environment: ["ASSAY_REDIS_POOL_SIZE": raw])
            }
        }
        #expect(throws: AssayConfiguration.InvalidSetting(name: "--redis-pool-size", value: "100", expected: "a pool size 1...64")) {
            try AssayConfiguration.resolve(.init(redisPoolSize: 100), environment: [:])
        }
    }
}
