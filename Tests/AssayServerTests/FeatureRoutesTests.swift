import AssayDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import AssayServer

/// A `multipart/form-data` body with one part per (name, content).
private func multipart(_ parts: [(String, String)], boundary: String = "assay-test-boundary") -> (HTTPFields, ByteBuffer) {
    var body = ""
    for (name, content) in parts {
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(name).csv\"\r\n"
        body += "Content-Type: text/csv\r\n\r\n\(content)\r\n"
    }
    body += "--\(boundary)--\r\n"
    return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(string: body))
}

private func referenceFiles() throws -> [(String, String)] {
    let directory = try ReferenceDataLocation.eikon
    return try ETLFile.allCases.map { file in
        (file.rawValue, try String(contentsOfFile: directory + "/" + file.rawValue, encoding: .utf8))
    }
}

/// Where the lab's reference export lives (../shared/reference-data, or `ASSAY_REFERENCE_DATA`).
enum ReferenceDataLocation {
    static var eikon: String {
        get throws {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let candidates = [
                ProcessInfo.processInfo.environment["ASSAY_REFERENCE_DATA"],
                repository.deletingLastPathComponent().appendingPathComponent("shared/reference-data").path,
                "/work/shared/reference-data",
            ].compactMap { $0 }.map { $0 + "/eikon" }
            let found = candidates.first { FileManager.default.fileExists(atPath: $0 + "/users.csv") }
            return try #require(found, "reference data not found in \(candidates); set ASSAY_REFERENCE_DATA")
        }
    }
}

@Suite("User-features routes")
struct FeatureRoutesTests {
    @Test func runFromTheDataDirectoryThenReadFeaturesAndRuns() async throws {
        var configuration = AssayConfiguration()
        configuration.etlDataDirectory = try ReferenceDataLocation.eikon
        try await withApp(configuration: configuration) { client in
            try expectProblem(try await client.execute(uri: "/features/1", method: .get), .notFound)
            let response = try await client.execute(uri: "/etl?wait=true", method: .post)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let body = try json(response)
            #expect(body["status"] as? String == "success")
            let run = try #require(body["run"] as? [String: Any])
            #expect(run["status"] as? String == "success" && run["rows_read"] as? Int == 24 && run["average_experiments_per_user"] as? Double == 1.1)
            #expect((run["counts"] as? [String: Any])?["published"] as? Int == 10)

            let alice = try json(try await client.execute(uri: "/features/1", method: .get))
            #expect(alice["name"] as? String == "Alice" && alice["experiment_count"] as? Int == 2 && alice["total_run_time"] as? Double == 25)
            #expect(alice["avg_run_time"] as? Double == 12.5 && alice["distinct_compounds"] as? Int == 3)
            #expect((alice["top_compound"] as? [String: Any])?["id"] as? Int == 2 && alice["top_compound_uses"] as? Int == 2)
            #expect(alice["tied_compounds"] as? [Int] == [2] && alice["signup_date"] as? String == "2023-01-01T00:00:00Z")

            let page = try json(try await client.execute(uri: "/features?limit=4", method: .get))
            #expect((page["items"] as? [[String: Any]])?.compactMap { $0["user_id"] as? Int } == [1, 2, 3, 4])
            let cursor = try #require(page["next_cursor"] as? String)
            let next = try json(try await client.execute(uri: "/features?limit=4&cursor=\(cursor)", method: .get))
            #expect((next["items"] as? [[String: Any]])?.first?["user_id"] as? Int == 5)

            let runs = try json(try await client.execute(uri: "/etl/runs", method: .get))
            let id = try #require((runs["items"] as? [[String: Any]])?.first?["id"] as? Int)
            #expect(try json(try await client.execute(uri: "/etl/runs/\(id)", method: .get))["status"] as? String == "success")
            try expectProblem(try await client.execute(uri: "/etl/runs/999", method: .get), .notFound)
            try expectProblem(try await client.execute(uri: "/features/abc", method: .get), .badRequest)
            try expectProblem(try await client.execute(uri: "/features?limit=501", method: .get), .badRequest)
        }
    }

    @Test func theShippedSeedsRunWithTheDefaultConfiguration() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/etl?wait=true", method: .post)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let run = try #require(try json(response)["run"] as? [String: Any])
            #expect((run["counts"] as? [String: Any])?["published"] as? Int == 8)
            // Kary Mullis ran no experiments and still gets a row.
            let kary = try json(try await client.execute(uri: "/features/8", method: .get))
            #expect(kary["experiment_count"] as? Int == 0 && kary["top_compound"] is NSNull && kary["avg_run_time"] is NSNull)
        }
    }

    @Test func uploadedFilesRunAndBadOnesPublishNothing() async throws {
        var configuration = AssayConfiguration()
        configuration.etlDataDirectory = nil
        try await withApp(configuration: configuration) { client in
            try expectProblem(try await client.execute(uri: "/etl", method: .post), .badRequest)

            let (headers, body) = multipart(try referenceFiles())
            let accepted = try await client.execute(uri: "/etl", method: .post, headers: headers, body: body)
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let location = try #require(accepted.headers[.location])
            #expect(try json(accepted)["status"] as? String == "running")
            var status = "running"
            let deadline = ContinuousClock.now + .seconds(30)
            while status == "running", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                status = try json(try await client.execute(uri: location, method: .get))["status"] as? String ?? "?"
            }
            #expect(status == "success")
            #expect(try json(try await client.execute(uri: "/features/2", method: .get))["tied_compounds"] as? [Int] == [1, 3])

            // Strict mode: one bad run time fails the run with its place and reason, and the set stays.
            var files = try referenceFiles()
            files[1].1 = files[1].1.replacingOccurrences(of: "7,\t6,\t1;3,\t40", with: "7,\t6,\t1;3,\tforty")
            let (badHeaders, badBody) = multipart(files)
            let failed = try await client.execute(uri: "/etl?wait=true", method: .post, headers: badHeaders, body: badBody)
            let problem = try expectProblem(failed, .unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("1 bad row in strict mode") == true)
            let errors = try #require((problem["run"] as? [String: Any])?["errors"] as? [[String: Any]])
            #expect(errors.first?["file"] as? String == "user_experiments.csv" && errors.first?["line"] as? Int == 8)
            #expect(errors.first?["column"] as? String == "experiment_run_time" && errors.first?["reason"] as? String == "'forty' is not a number")
            #expect(try json(try await client.execute(uri: "/features/6", method: .get))["total_run_time"] as? Double == 40)

            // Lenient mode skips the bad row and publishes the rest.
            let lenient = try await client.execute(uri: "/etl?wait=true&mode=lenient", method: .post, headers: badHeaders, body: badBody)
            #expect(lenient.status == .ok)
            #expect(try json(try await client.execute(uri: "/features/6", method: .get))["experiment_count"] as? Int == 0)
        }
    }

    @Test func badRequestsGetProblems() async throws {
        try await withApp { client in
            try expectProblem(try await client.send(.post, "/etl", json: "{}"), .unsupportedMediaType)
            try expectProblem(try await client.execute(uri: "/etl?mode=fast", method: .post), .badRequest)
            try expectProblem(try await client.execute(uri: "/etl?wait=maybe", method: .post), .badRequest)
            let (headers, body) = multipart([("users", "user_id,name,email,signup_date\n1,A,a@b,2024-01-01")])
            let missing = try expectProblem(
                try await client.execute(uri: "/etl", method: .post, headers: headers, body: body), .unprocessableContent)
            #expect((missing["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["user_experiments.csv", "compounds.csv"])
            let (otherHeaders, otherBody) = multipart([("passwords", "x")])
            try expectProblem(try await client.execute(uri: "/etl", method: .post, headers: otherHeaders, body: otherBody), .badRequest)
            try expectProblem(
                try await client.execute(
                    uri: "/etl", method: .post, headers: [.contentType: "multipart/form-data; boundary=b"], body: ByteBuffer(string: "garbage")),
                .unprocessableContent)
        }
    }

    @Test func aSecondRunWhileOneIsGoingIsAConflict() async throws {
        // A data set big enough that the first run is still going when the second request arrives.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-etl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "user_id,name,email,signup_date\n1,A,a@lab.org,2024-01-01\n".write(toFile: directory + "/users.csv", atomically: true, encoding: .utf8)
        try "compound_id,compound_name,compound_structure\n1,X,H2O\n".write(toFile: directory + "/compounds.csv", atomically: true, encoding: .utf8)
        var experiments = "experiment_id,user_id,experiment_compound_ids,experiment_run_time\n"
        for id in 1...300_000 {
            experiments += "\(id),1,1,\(id % 50)\n"
            if id % 20_000 == 0 { await Task.yield() }  // a long loop must not starve the other tests' tasks
        }
        try experiments.write(toFile: directory + "/user_experiments.csv", atomically: true, encoding: .utf8)

        var configuration = AssayConfiguration()
        configuration.etlDataDirectory = directory
        try await withApp(configuration: configuration) { client in
            let first = try await client.execute(uri: "/etl", method: .post)
            #expect(first.status == .accepted)
            let conflict = try expectProblem(try await client.execute(uri: "/etl?wait=true", method: .post), .conflict)
            #expect((conflict["detail"] as? String)?.contains("in progress") == true)
            let location = try #require(first.headers[.location])
            var status = "running"
            let deadline = ContinuousClock.now + .seconds(60)
            while status == "running", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                status = try json(try await client.execute(uri: location, method: .get))["status"] as? String ?? "?"
            }
            #expect(status == "success")
            #expect(try json(try await client.execute(uri: "/features/1", method: .get))["experiment_count"] as? Int == 300_000)
        }
    }
}
