import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AssayServer

/// A directory with stand-ins for Swagger UI's files (the real ones come from scripts/fetch-docs-assets.sh).
private func fakeAssets() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-docs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for (name, text) in [
        ("swagger-ui-bundle.js", "window.SwaggerUIBundle = function () {};"), ("swagger-ui.css", ".swagger-ui {}"), ("LICENSE", "Apache"),
    ] {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }
    try Data("secret".utf8).write(to: directory.appendingPathComponent("other.txt"))
    return directory.path
}

private func configuration(assets: String) -> AssayConfiguration {
    var configuration = AssayConfiguration()
    configuration.docsAssetsDirectory = assets
    return configuration
}

/// The directives of a Content-Security-Policy value, by name.
private func directives(_ policy: String?) -> [String: String] {
    var found: [String: String] = [:]
    for part in (policy ?? "").split(separator: ";") {
        let words = part.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
        if let name = words.first { found[String(name)] = words.count > 1 ? String(words[1]) : "" }
    }
    return found
}

/// Checks the headers every page and file of the browser UI carries.
private func expectUIHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    let policy = directives(response.headers[.contentSecurityPolicy])
    #expect(policy["default-src"] == "'self'", sourceLocation: sourceLocation)
    #expect(policy["script-src"] == "'self'", "no inline script, no CDN", sourceLocation: sourceLocation)
    #expect(policy["style-src"] == "'self'", "no inline style", sourceLocation: sourceLocation)
    #expect(
        policy["frame-ancestors"] == "'none'" && policy["object-src"] == "'none'" && policy["base-uri"] == "'none'", sourceLocation: sourceLocation)
    #expect(response.headers[.contentTypeOptions] == "nosniff", sourceLocation: sourceLocation)
}

@Suite("Browser UI routes")
struct UIRoutesTests {
    @Test func docsNeedNoTokenAndLoadOnlyTheServersOwnScripts() async throws {
        try await withApp(configuration: configuration(assets: try fakeAssets())) { client in
            let page = try await client.base.execute(uri: "/docs", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            expectUIHeaders(page)
            let html = String(buffer: page.body)
            #expect(html.contains("<script src=\"/docs/assets/swagger-ui-bundle.js\"></script>"))
            #expect(html.contains("<script src=\"/docs/init.js\"></script>"))
            #expect(html.components(separatedBy: "<script").count - 1 == 2, "every script is a file of this server")
            #expect(!html.contains("http://") && !html.contains("https://"), "no CDN")

            let initializer = try await client.base.execute(uri: "/docs/init.js", method: .get)
            #expect(initializer.status == .ok && initializer.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(String(buffer: initializer.body).contains("url: \"/openapi.yaml\""))
            #expect(String(buffer: initializer.body).contains("validatorUrl: null"))

            let css = try await client.base.execute(uri: "/docs/assets/swagger-ui.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(String(buffer: css.body) == ".swagger-ui {}")
            expectUIHeaders(css)
        }
    }

    @Test func onlyTheListedAssetsAreServed() async throws {
        try await withApp(configuration: configuration(assets: try fakeAssets())) { client in
            for uri in ["/docs/assets/other.txt", "/docs/assets/..%2Fother.txt", "/docs/assets/%2E%2E"] {
                try expectProblem(try await client.execute(uri: uri, method: .get), .notFound)
            }
            // Listed but not fetched (the stand-ins have no favicon): a 404 naming the script, not a crash.
            let favicon = try expectProblem(try await client.base.execute(uri: "/docs/assets/favicon-32x32.png", method: .get), .notFound)
            #expect((favicon["detail"] as? String)?.contains("scripts/fetch-docs-assets.sh") == true)
        }
    }

    @Test func missingAssetsAreAProblemNamingTheScript() async throws {
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("assay-no-docs-\(UUID().uuidString)").path
        try await withApp(configuration: configuration(assets: nowhere)) { client in
            let problem = try expectProblem(try await client.base.execute(uri: "/docs", method: .get), .serviceUnavailable)
            let detail = try #require(problem["detail"] as? String)
            #expect(detail.contains("scripts/fetch-docs-assets.sh") && detail.contains(nowhere) && detail.contains("ASSAY_DOCS_ASSETS"))
            try expectProblem(try await client.base.execute(uri: "/docs/assets/swagger-ui-bundle.js", method: .get), .serviceUnavailable)
            // The dashboard does not depend on Swagger UI.
            #expect(try await client.base.execute(uri: "/dashboard", method: .get).status == .ok)
        }
    }

    @Test func theDashboardShellNeedsNoTokenAndItsPanelsDo() async throws {
        try await withApp { client in
            for (uri, type) in [
                ("/dashboard", "text/html; charset=utf-8"), ("/dashboard/app.js", "text/javascript; charset=utf-8"),
                ("/dashboard/app.css", "text/css; charset=utf-8"),
            ] {
                let response = try await client.base.execute(uri: uri, method: .get)
                #expect(response.status == .ok && response.headers[.contentType] == type, "\(uri)")
                expectUIHeaders(response)
            }
            let page = String(buffer: try await client.base.execute(uri: "/dashboard", method: .get).body)
            #expect(page.components(separatedBy: "<script").count - 1 == 1 && page.contains("<script src=\"/dashboard/app.js\"></script>"))
            #expect(!page.contains("style="), "no inline style: the policy forbids it")
            let script = String(buffer: try await client.base.execute(uri: "/dashboard/app.js", method: .get).body)
            #expect(script.contains("sessionStorage") && script.contains("\"Authorization\": \"Bearer \""))
            #expect(!script.contains("localStorage"), "the token lives only as long as the browser session")

            try expectProblem(try await client.base.execute(uri: "/dashboard/panels", method: .get), .unauthorized)
            try expectProblem(
                try await client.base.execute(uri: "/dashboard/enrichment", method: .post, headers: [.contentType: "application/json"]),
                .unauthorized)
            let created = try json(try await client.send(.post, "/tokens", json: #"{"name":"viewer","scopes":["read"]}"#))
            let reader = AuthorizedClient(base: client.base, secret: try #require(created["token"] as? String))
            let panels = try await reader.execute(uri: "/dashboard/panels?window=1h", method: .get)
            #expect(panels.status == .ok && panels.headers[.contentType] == "text/html; charset=utf-8")
            #expect(panels.headers[.cacheControl] == "no-store")
            expectUIHeaders(panels)
            // A read token may look but not run an analysis (POST needs write, as POST /enrichment does).
            try expectProblem(try await reader.send(.post, "/dashboard/enrichment", json: #"{"genes":["TP53"]}"#), .forbidden)
            try expectProblem(try await reader.execute(uri: "/dashboard/panels?window=2h", method: .get), .badRequest)
            try expectProblem(try await reader.execute(uri: "/dashboard/panels?window=", method: .get), .badRequest)
            #expect(try await reader.execute(uri: "/dashboard/panels", method: .get).status == .ok, "no window is all time")
        }
    }

    @Test func panelsShowCountsRoutesRunsAndLeadersEscaped() async throws {
        try await withApp { client in
            try await client.createGeneset("Great Genes", ["BRCA1", "TP53"])
            for _ in 0..<3 { _ = try await client.execute(uri: "/api/users/42", method: .get) }
            _ = try await client.execute(uri: "/api/%3Cscript%3Ealert(1)%3C%2Fscript%3E", method: .get)
            let product = try json(
                try await client.send(.post, "/products", json: #"{"name":"<img src=x onerror=alert(1)>","category":"a&b","price":1}"#))
            let productID = try #require(product["id"] as? Int)
            _ = try await client.send(.post, "/products/\(productID)/views", json: #"{"user_id":1}"#)
            _ = try await client.execute(uri: "/etl?wait=true", method: .post)

            let html = String(buffer: try await client.execute(uri: "/dashboard/panels?window=24h", method: .get).body)
            #expect(html.contains("<dd id=\"count-genesets\">1</dd>") && html.contains("<dd id=\"count-genes\">2</dd>"))
            #expect(html.contains("<dd id=\"count-collections\">0</dd>"))
            #expect(html.contains("Top 20 routes by hits (24h)"))
            #expect(html.contains("<g class=\"bar\" data-label=\"/users/42\" data-value=\"3\">"))
            #expect(html.contains("data-label=\"/&lt;script&gt;alert(1)&lt;/script&gt;\""))
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;") && html.contains("a&amp;b"))
            #expect(!html.contains("<script") && !html.contains("<img"), "every stored string is escaped")
            #expect(html.contains("id=\"etl\"") && html.contains("id=\"leaders\""))
        }
    }

    @Test func theEnrichmentViewDrawsBarsAndDownloadsTSV() async throws {
        try await withApp { client in
            try await client.createGeneset("Apoptosis <b>&", ["CASP3", "BAX", "TP53", "FAS"])
            try await client.createGeneset("Hypoxia", ["HIF1A", "VEGFA", "TP53"])
            let body = #"{"genes":["CASP3","BAX","TP53"]}"#
            let fragment = try await client.send(.post, "/dashboard/enrichment", json: body)
            #expect(fragment.status == .ok && fragment.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: fragment.body)
            #expect(html.components(separatedBy: "<g class=\"bar\"").count - 1 == 2)
            #expect(html.contains("data-label=\"Apoptosis &lt;b&gt;&amp;\"") && !html.contains("<b>"))

            let tsv = try await client.send(.post, "/dashboard/enrichment?format=tsv", json: body)
            #expect(tsv.status == .ok && tsv.headers[.contentType] == "text/tab-separated-values; charset=utf-8")
            #expect(tsv.headers[.contentDisposition] == "attachment; filename=\"enrichment.tsv\"")
            let lines = String(buffer: tsv.body).split(separator: "\n")
            #expect(lines.count == 3 && lines[0].hasPrefix("rank\tset_id\tset\t"))
            #expect(lines[1].split(separator: "\t", omittingEmptySubsequences: false)[2] == "Apoptosis <b>&")
            try expectProblem(try await client.send(.post, "/dashboard/enrichment?format=pdf", json: body), .badRequest)
            try expectProblem(try await client.send(.post, "/dashboard/enrichment", json: #"{"genes":["TP53"],"collection":99}"#), .notFound)
        }
    }

    @Test func theAssetsDirectoryIsASettingWithAFlag() throws {
        #expect(try AssayConfiguration.resolve(environment: [:]).docsAssetsDirectory == ".data/swagger-ui")
        let environment = ["ASSAY_DOCS_ASSETS": "/srv/swagger-ui"]
        #expect(try AssayConfiguration.resolve(environment: environment).docsAssetsDirectory == "/srv/swagger-ui")
        #expect(try AssayConfiguration.resolve(.init(docsAssetsDirectory: "here"), environment: environment).docsAssetsDirectory == "here")
        #expect(try AssayConfiguration.resolve(environment: ["ASSAY_DOCS_ASSETS": ""]).docsAssetsDirectory == ".data/swagger-ui")
    }

    @Test func escapingAndChartsArePure() {
        #expect(HTML.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        let chart = BarChart(title: "t\"", bars: [.init(label: "<x>", value: 2, valueText: "2"), .init(label: "y", value: 0, valueText: "0")])
        #expect(chart.svg.contains("aria-label=\"t&quot;\"") && chart.svg.contains("data-label=\"&lt;x&gt;\""))
        #expect(chart.svg.contains("width=\"\(BarChart.barArea)\""), "the largest bar fills the area")
        #expect(EnrichmentPanel.score(0).isFinite && abs(EnrichmentPanel.score(0.01) - 2) < 1e-12)
    }
}
