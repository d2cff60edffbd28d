import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import AssayServer

/// `POST /genes/resolve` and `resolve=true` on the routes that take gene names, over the committed sample reference.
@Suite("Gene reference routes")
struct GeneReferenceRoutesTests {
    @Test func resolvesRenamedAmbiguousAndUnknownNames() async throws {
        try await withApp { client in
            let response = try await client.send(
                .post, "/genes/resolve", json: #"{"genes":["KIAA1429","C10orf2","HIST1H1C","QARS","virma","NOPE1","KIAA1429"],"species":"human"}"#)
            #expect(response.status == .ok)
            let body = try json(response)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["alias", "alias", "alias", "ambiguous", "approved", "not_found", "alias"])
            #expect(results.map { $0["symbol"] as? String } == ["VIRMA", "TWNK", "H1-2", nil, "VIRMA", nil, "VIRMA"])
            #expect(results.map { $0["input"] as? String } == ["KIAA1429", "C10orf2", "HIST1H1C", "QARS", "virma", "NOPE1", "KIAA1429"])
            #expect(results[0]["ensembl_ids"] as? [String] == ["ENSG00000164944"])
            let candidates = try #require(results[3]["candidates"] as? [[String: Any]])
            #expect(candidates.map { $0["symbol"] as? String } == ["EPRS1", "QARS1"])
            #expect(candidates.map { $0["ensembl_ids"] as? [String] } == [["ENSG00000136628"], ["ENSG00000172053"]])
            let duplicates = try #require(body["duplicates"] as? [[String: Any]])
            #expect(duplicates.count == 1 && duplicates[0]["name"] as? String == "KIAA1429" && duplicates[0]["positions"] as? [Int] == [0, 6])
            #expect(body["counts"] as? [String: Int] == ["approved": 1, "alias": 4, "ambiguous": 1, "not_found": 1])
            #expect(body["species"] as? String == "human" && body["taxid"] as? Int == 9606)
            // Species default to human; mouse is its own reference.
            let mouse = try json(try await client.send(.post, "/genes/resolve", json: #"{"genes":["QARS"],"species":"10090"}"#))
            #expect((mouse["results"] as? [[String: Any]])?.first?["symbol"] as? String == "QARS1")
        }
    }

    @Test func badInputIs422AndAMissingReferenceIs409() async throws {
        try await withApp { client in
            let invalid = try await client.send(.post, "/genes/resolve", json: #"{"genes":["TP53"," "],"species":"rat"}"#)
            #expect(invalid.status == .unprocessableContent)
            let fields = try #require(try json(invalid)["errors"] as? [[String: Any]]).compactMap { $0["field"] as? String }
            #expect(fields == ["species", "genes[1]"])
        }
        var adapters = try await testAdapters()
        adapters.geneReference = InMemoryGeneReferenceStore()
        var configuration = AssayConfiguration()
        configuration.seedsDirectory = nil
        var logger = Logger(label: "assay-test")
        logger.logLevel = .warning
        let app = try await buildApplication(configuration, adapters: adapters, metrics: AppMetrics(), logger: logger)
        try await app.test(.router) { base in
            let client = AuthorizedClient(base: base)
            let response = try await client.send(.post, "/genes/resolve", json: #"{"genes":["VIRMA"]}"#)
            #expect(response.status == .conflict)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect((try json(response)["detail"] as? String)?.contains("assay import gene-reference FILE --species human") == true)
            let set = try await client.send(.post, "/genesets?resolve=true", json: #"{"title":"S","genes":[{"name":"VIRMA"}]}"#)
            #expect(set.status == .conflict)
            // Without resolution nothing needs the reference.
            #expect(try await client.send(.post, "/genesets", json: #"{"title":"S","genes":[{"name":"VIRMA"}]}"#).status == .created)
        }
    }

    @Test func aSetCreatedWithResolveStoresApprovedSymbols() async throws {
        try await withApp { client in
            let created = try await client.send(
                .post, "/genesets?resolve=true",
                json:
                    #"{"title":"Old names","genes":[{"name":"KIAA1429"},{"name":"C10orf2"},{"name":"HIST1H1C"},{"name":"QARS"},{"name":"virma"},{"name":"NOPE9"}]}"#
            )
            #expect(created.status == .created)
            let body = try json(created)
            #expect((body["genes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["VIRMA", "TWNK", "H1-2", "QARS", "NOPE9"])
            let resolution = try #require(body["gene_resolution"] as? [String: Any])
            #expect((resolution["changed"] as? [[String: String]])?.map { $0["input"] } == ["KIAA1429", "C10orf2", "HIST1H1C"])
            #expect((resolution["changed"] as? [[String: String]])?.map { $0["symbol"] } == ["VIRMA", "TWNK", "H1-2"])
            #expect(resolution["merged"] as? [[String: String]] == [["input": "virma", "symbol": "VIRMA", "status": "approved"]])
            let ambiguous = try #require(resolution["ambiguous"] as? [[String: Any]])
            #expect(ambiguous.first?["input"] as? String == "QARS")
            #expect((ambiguous.first?["candidates"] as? [[String: Any]])?.map { $0["symbol"] as? String } == ["EPRS1", "QARS1"])
            #expect(resolution["not_found"] as? [String] == ["NOPE9"])

            // Body field works too; without resolution the names are stored as given and no report is added.
            let id = try #require(body["id"] as? Int)
            let replaced = try json(
                try await client.send(.put, "/genesets/\(id)", json: #"{"title":"Old names","genes":[{"name":"peo1"}],"resolve":true}"#))
            #expect((replaced["genes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["TWNK"])
            let plain = try json(try await client.send(.post, "/genesets", json: #"{"title":"As given","genes":[{"name":"KIAA1429"}]}"#))
            #expect((plain["genes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["KIAA1429"])
            #expect(plain["gene_resolution"] == nil)
            let bad = try await client.send(.post, "/genesets?resolve=maybe", json: #"{"title":"X","genes":[{"name":"A"}]}"#)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func anAliasFindsTheStoredGeneWithANote() async throws {
        try await withApp { client in
            _ = try await client.send(.post, "/genesets", json: #"{"title":"Approved","genes":[{"name":"VIRMA"},{"name":"TWNK"}]}"#)
            let found = try await client.execute(uri: "/genes/KIAA1429", method: .get)
            #expect(found.status == .ok)
            let body = try json(found)
            #expect(body["name"] as? String == "VIRMA")
            #expect(body["matched"] as? [String: String] == ["input": "KIAA1429", "status": "alias", "symbol": "VIRMA", "species": "human"])
            #expect(try json(try await client.execute(uri: "/genes/VIRMA", method: .get))["matched"] == nil)
            let ambiguous = try await client.execute(uri: "/genes/QARS", method: .get)
            #expect(ambiguous.status == .notFound)
            #expect((try json(ambiguous)["detail"] as? String)?.contains("EPRS1, QARS1") == true)
            #expect(try await client.execute(uri: "/genes/NOPE9", method: .get).status == .notFound)
        }
    }

    @Test func enrichmentWithOldSymbolsFindsWhatApprovedSymbolsFind() async throws {
        try await withApp { client in
            for (title, genes) in [("M6A", ["VIRMA", "TWNK", "H1-2"]), ("Other", ["PTEN", "PARP1", "MKI67"]), ("Mixed", ["VIRMA", "PTEN", "SKI"])] {
                let body = #"{"title":"\#(title)","genes":[\#(genes.map { #"{"name":"\#($0)"}"# }.joined(separator: ","))]}"#
                #expect(try await client.send(.post, "/genesets", json: body).status == .created)
            }
            let approved = try json(try await client.send(.post, "/enrichment", json: #"{"genes":["VIRMA","TWNK","H1-2"]}"#))
            let old = try json(
                try await client.send(.post, "/enrichment", json: #"{"genes":["KIAA1429","C10orf2","HIST1H1C","QARS"],"resolve":true}"#))
            let titles = { (body: [String: Any]) in (body["results"] as? [[String: Any]])?.map { $0["title"] as? String } }
            let pValues = { (body: [String: Any]) in (body["results"] as? [[String: Any]])?.map { $0["p_value"] as? Double } }
            #expect(titles(old) == titles(approved) && titles(old)?.first == "M6A")
            #expect(pValues(old) == pValues(approved))
            let resolution = try #require(old["resolution"] as? [String: Any])
            #expect((resolution["changed"] as? [[String: String]])?.map { $0["symbol"] } == ["VIRMA", "TWNK", "H1-2"])
            #expect((resolution["ambiguous"] as? [[String: Any]])?.map { $0["input"] as? String } == ["QARS"])
            // Without resolution the old names match nothing.
            let unresolved = try json(try await client.send(.post, "/enrichment", json: #"{"genes":["KIAA1429","C10orf2","HIST1H1C"]}"#))
            #expect((unresolved["results"] as? [[String: Any]])?.isEmpty == true)
            #expect(unresolved["resolution"] == nil)
        }
    }

    @Test func aGMTUploadWithResolveStoresApprovedSymbolsInTheCollectionsSpecies() async throws {
        try await withApp { client in
            let human = try json(try await client.send(.post, "/collections", json: #"{"name":"Old human names"}"#))
            #expect(human["species"] as? String == "human")
            let id = try #require(human["id"] as? Int)
            let file = "M6A\twriters\tKIAA1429\tvirma\tC10orf2\nHist\t\tHIST1H1C\tQARS\tNOPE1\n"
            let response = try await client.execute(
                uri: "/collections/\(id)/gmt?resolve=true", method: .post, headers: [.contentType: "text/tab-separated-values"],
                body: ByteBuffer(string: file))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let report = try json(response)
            #expect(report["imported"] as? Int == 2 && report["memberships"] as? Int == 5)
            let resolution = try #require(report["resolution"] as? [String: Any])
            #expect(resolution["counts"] as? [String: Int] == ["changed": 3, "merged": 1, "ambiguous": 1, "not_found": 1])
            #expect((resolution["changed"] as? [[String: Any]])?.map { $0["symbol"] as? String } == ["VIRMA", "TWNK", "H1-2"])
            #expect((resolution["ambiguous"] as? [[String: Any]])?.first?["candidates"] as? [String] == ["EPRS1", "QARS1"])
            let exported = String(buffer: try await client.execute(uri: "/collections/\(id)/gmt", method: .get).body)
            #expect(exported == "M6A\twriters\tVIRMA\tTWNK\nHist\t\tH1-2\tQARS\tNOPE1\n")

            // A mouse collection: its sets are mouse sets, resolved against the mouse reference; human enrichment skips them.
            let mouse = try json(try await client.send(.post, "/collections", json: #"{"name":"Mouse","species":"mouse"}"#))
            #expect(mouse["species"] as? String == "mouse")
            let mouseID = try #require(mouse["id"] as? Int)
            let set = try json(
                try await client.send(.post, "/genesets?resolve=true", json: #"{"title":"M","genes":[{"name":"QARS"}],"collection":\#(mouseID)}"#))
            #expect(set["species"] as? String == "mouse")
            #expect((set["genes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["QARS1"])
            let clash = try await client.send(
                .post, "/genesets", json: #"{"title":"H","genes":[{"name":"A"}],"collection":\#(mouseID),"species":"human"}"#)
            #expect(clash.status == .unprocessableContent)
            #expect((try json(clash)["errors"] as? [[String: Any]])?.first?["field"] as? String == "species")
            let badSpecies = try await client.send(.post, "/collections", json: #"{"name":"Rat","species":"rat"}"#)
            #expect(badSpecies.status == .unprocessableContent)
            let humanList = try json(try await client.send(.post, "/enrichment", json: #"{"genes":["QARS1","VIRMA"]}"#))
            #expect((humanList["results"] as? [[String: Any]])?.map { $0["title"] as? String } == ["M6A"])
            #expect(humanList["species"] as? String == "human")
            let mouseList = try json(try await client.send(.post, "/enrichment", json: #"{"genes":["QARS1","VIRMA"],"species":"mouse"}"#))
            #expect((mouseList["results"] as? [[String: Any]])?.map { $0["title"] as? String } == ["M"])
            let wrongCollection = try await client.send(.post, "/enrichment", json: #"{"genes":["QARS1"],"collection":\#(mouseID)}"#)
            #expect(wrongCollection.status == .unprocessableContent)
        }
    }
}
