import AssayRedis
import Testing

@Suite("Redis URL")
struct RedisSettingsTests {
    @Test func urlsGiveHostPortCredentialsAndDatabase() throws {
        let full = try RedisSettings(url: "redis://:s3cret@10.1.2.3:6380/4")
        #expect(full.host == "10.1.2.3" && full.port == 6380 && full.password == "s3cret" && full.username == nil && full.database == 4)
        #expect(full.redactedURL == "redis://:***@10.1.2.3:6380/4")
        let acl = try RedisSettings(url: "redis://assay:p%40ss@cache")
        #expect(acl.username == "assay" && acl.password == "p@ss" && acl.port == 6379 && acl.database == 0)
        let bare = try RedisSettings(url: "redis://127.0.0.1:6379")
        #expect(bare.password == nil && bare.database == 0 && bare.redactedURL == "redis://127.0.0.1:6379/0")
    }

    @Test func badURLsAreRefused() {
        for url in ["http://127.0.0.1:6379", "redis://", "redis://host:6379/db", "redis://host:6379/-1", "not a url"] {
            #expect(throws: RedisSettings.InvalidURL.self, "\(url)") { try RedisSettings(url: url) }
        }
        #expect(throws: RedisSettings.InvalidURL.self) { try RedisSettings(url: "redis://host", poolSize: 0) }
    }
}
