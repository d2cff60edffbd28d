import AssayDomain
import AssayInMemory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import AssayServer

@Suite("TLS")
struct TLSTests {
    /// A real socket with a fresh self-signed certificate: curl with TLS 1.2 and 1.3 succeeds (HTTP/2 by ALPN),
    /// a TLS 1.1 handshake is refused.
    @Test func httpsAcceptsTLS12And13AndRefusesTLS11() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try TLSSetup.writeSelfSigned(to: directory, validDays: 1)
        #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)

        var configuration = AssayConfiguration()
        configuration.port = 0
        configuration.seedsDirectory = nil
        configuration.logLevel = .critical
        configuration.tlsCertificate = certificate
        configuration.tlsKey = key
        configuration.adminToken = testAdminSecret
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let url = "https://localhost:\(port)/genesets"
            for version in [["--tlsv1.2", "--tls-max", "1.2"], ["--tlsv1.3"]] {
                let result = try await Subprocess.run(
                    ["curl", "-sS", "--http2", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code} %{http_version}"] + version
                        + ["-H", "Authorization: Bearer \(testAdminSecret)", url])
                #expect(result.status == 0 && result.output == "200 2", "curl \(version): \(result.output)")
            }
            let unauthenticated = try await Subprocess.run(["curl", "-sS", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}", url])
            #expect(unauthenticated.output == "401")

            // SECLEVEL=0 lets the client really offer TLS 1.1, so the refusal is the server's: a protocol_version alert.
            let old = try await Subprocess.run([
                "sh", "-c", "echo | openssl s_client -connect 127.0.0.1:\(port) -tls1_1 -cipher DEFAULT@SECLEVEL=0 -servername localhost 2>&1",
            ])
            #expect(old.status != 0, "TLS 1.1 was accepted: \(old.output)")
            #expect(old.output.contains("alert protocol version"), "\(old.output)")
        }
    }

    @Test func certificateAndKeyComeTogether() {
        #expect(throws: AssayConfiguration.InvalidSetting.self) {
            try AssayConfiguration.resolve(.init(tlsCertificate: "cert.pem"), environment: [:])
        }
        #expect(throws: TLSSetup.Invalid.self) {
            try TLSSetup.serverConfiguration(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
        }
    }
}
