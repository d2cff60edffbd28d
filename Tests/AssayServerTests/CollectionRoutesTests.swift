import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AssayServer

/// The upper tail P(X >= x) for X ~ Hypergeometric(N, m, k) by SciPy (`hypergeom.sf(x - 1, N, m, k)`), an
/// implementation independent of ours. Never skipped: without SciPy it fails (`make test` installs python3-scipy).
private func sciPyUpperTail(x: Int, population: Int, successes: Int, draws: Int) async throws -> Double {
    try await offPool { try sciPyUpperTailBlocking(x: x, population: population, successes: successes, draws: draws) }
}

private func sciPyUpperTailBlocking(x: Int, population: Int, successes: Int, draws: Int) throws -> Double {
    let script =
        "import sys; from scipy.stats import hypergeom; x, N, m, k = map(int, sys.argv[1:]); print(repr(float(hypergeom.sf(x - 1, N, m, k))))"
    for python in ["/usr/bin/python3", "/usr/bin/env"] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python.hasSuffix("env") ? ["python3"] : []) + ["-c", script, "\(x)", "\(population)", "\(successes)", "\(draws)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { continue }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if process.terminationStatus == 0, let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return value }
    }
    throw SciPyMissing()
}

private struct SciPyMissing: Error, CustomStringConvertible {
    var description: String { "no python3 with SciPy; run scripts/install-system-packages.sh (Debian's python3-scipy)" }
}

@Suite("Collection, GMT and enrichment routes")
struct CollectionRoutesTests {
    /// A GMT file goes in as the body or as a multipart upload, comes out byte for byte, and a bad line refuses the
    /// whole file with its line number.
    @Test func gmtRoundTripsAndAStrictImportRefusesABadLineWholly() async throws {
        try await withApp { client in
            let created = try await client.send(.post, "/collections", json: #"{"name":"Hallmark 2024"}"#)
            #expect(created.status == .created)
            let id = try #require(try json(created)["id"] as? Int)
            let file = "HALLMARK_APOPTOSIS\thttp://www.gsea-msigdb.org/a\tCASP3\tBAX\tTP53\r\nHALLMARK_HYPOXIA\t\tHIF1A\tVEGFA\tvegfa\n\n"
            let imported = try await client.execute(
                uri: "/collections/\(id)/gmt", method: .post, headers: [.contentType: "text/tab-separated-values"],
                body: ByteBuffer(string: file))
            #expect(imported.status == .ok, "\(String(buffer: imported.body))")
            let report = try json(imported)
            #expect(report["imported"] as? Int == 2 && report["memberships"] as? Int == 5)
            #expect(((report["collection"] as? [String: Any])?["gene_count"] as? Int) == 5)

            let exported = try await client.execute(uri: "/collections/\(id)/gmt", method: .get)
            #expect(exported.status == .ok)
            #expect(exported.headers[.contentType]?.hasPrefix("text/tab-separated-values") == true)
            let text = String(buffer: exported.body)
            #expect(text == "HALLMARK_APOPTOSIS\thttp://www.gsea-msigdb.org/a\tCASP3\tBAX\tTP53\nHALLMARK_HYPOXIA\t\tHIF1A\tVEGFA\n")

            // The export, uploaded as multipart into a second collection, exports to the same bytes.
            let second = try #require(try json(try await client.send(.post, "/collections", json: #"{"name":"Copy"}"#))["id"] as? Int)
            let boundary = "assay-boundary-7"
            let multipart =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h.gmt\"\r\nContent-Type: text/plain\r\n\r\n"
                + text + "\r\n--\(boundary)--\r\n"
            let upload = try await client.execute(
                uri: "/collections/\(second)/gmt", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                body: ByteBuffer(string: multipart))
            #expect(upload.status == .ok, "\(String(buffer: upload.body))")
            #expect(String(buffer: try await client.execute(uri: "/collections/\(second)/gmt", method: .get).body) == text)

            // Strict: a line without genes refuses the file, naming line 3; nothing of the file is stored.
            let third = try #require(try json(try await client.send(.post, "/collections", json: #"{"name":"Third"}"#))["id"] as? Int)
            let refused = try await client.execute(
                uri: "/collections/\(third)/gmt", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "OK_1\t\tA\tB\nOK_2\t\tC\nBROKEN\tdescription only\nOK_3\t\tD\n"))
            let problem = try expectProblem(refused, .unprocessableContent)
            let errors = try #require(problem["errors"] as? [[String: Any]])
            #expect(errors.count == 1 && (errors[0]["field"] as? String) == "line 3 (BROKEN)")
            #expect(try json(try await client.execute(uri: "/collections/\(third)", method: .get))["set_count"] as? Int == 0)
            let listed = try json(try await client.execute(uri: "/genesets?collection=\(third)", method: .get))
            #expect((listed["items"] as? [Any])?.isEmpty == true)

            let lenient = try await client.execute(
                uri: "/collections/\(third)/gmt?mode=lenient", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "OK_1\t\tA\tB\nOK_2\t\tC\nBROKEN\tdescription only\nOK_3\t\tD\n"))
            #expect(try json(lenient)["imported"] as? Int == 3 && (try json(lenient)["skipped"] as? Int) == 1)

            try expectProblem(
                try await client.execute(
                    uri: "/collections/\(third)/gmt", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")),
                .unsupportedMediaType)
            try expectProblem(try await client.execute(uri: "/collections/999/gmt", method: .get), .notFound)
            #expect(try await client.execute(uri: "/collections/\(third)", method: .delete).status == .noContent)
            try expectProblem(try await client.execute(uri: "/collections/\(third)", method: .get), .notFound)
        }
    }

    /// A list drawn from one set: that set ranks first, with the p-value SciPy computes for the same counts.
    @Test func aListDrawnFromOneSetRanksItFirstWithSciPysPValue() async throws {
        // 40 sets of 30 genes over a universe of 300; the list: 12 genes of set 7 and 3 from elsewhere.
        var random = SplitMix64(seed: 2_026)
        var lines: [String] = []
        var members: [[String]] = []
        for set in 0..<40 {
            var genes = Set<Int>()
            while genes.count < 30 { genes.insert(Int(random.next() % 300)) }
            let names = genes.sorted().map { "G\($0)" }
            members.append(names)
            lines.append("SET_\(set)\t\t" + names.joined(separator: "\t"))
        }
        let list = Array(members[7].prefix(12)) + ["G1000", "G1001", "G1002"]
        let file = lines.joined(separator: "\n") + "\n"
        let universe = Set(members.joined()).count
        try await withApp { client in
            let id = try #require(try json(try await client.send(.post, "/collections", json: #"{"name":"Synthetic"}"#))["id"] as? Int)
            let imported = try await client.execute(
                uri: "/collections/\(id)/gmt", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: file))
            #expect(imported.status == .ok)
            let body = try JSONSerialization.data(withJSONObject: ["genes": list, "collection": id, "limit": 5])
            let answer = try await client.send(.post, "/enrichment", json: String(decoding: body, as: UTF8.self))
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            let result = try json(answer)
            #expect(result["background_size"] as? Int == universe)
            #expect(result["list_size"] as? Int == 12)
            #expect(Set(try #require(result["unmapped"] as? [String])) == ["G1000", "G1001", "G1002"])
            let top = try #require((result["results"] as? [[String: Any]])?.first)
            #expect(top["title"] as? String == "SET_7")
            #expect(top["overlap"] as? Int == 12 && top["set_size"] as? Int == 30)
            let expected = try await sciPyUpperTail(x: 12, population: universe, successes: 30, draws: 12)
            let p = try #require(top["p_value"] as? Double)
            #expect(abs(p - expected) <= 1e-9 * expected, "p \(p), SciPy \(expected)")
        }
    }
}
