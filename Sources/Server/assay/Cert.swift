import ArgumentParser
import AssayServer

/// `assay cert self-signed`: a development certificate for HTTPS on localhost.
struct Cert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make TLS certificates for development.", subcommands: [SelfSigned.self])

    struct SelfSigned: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Write cert.pem and key.pem for localhost and 127.0.0.1 (never commit them).")

        @Option(help: "Directory to write into.")
        var out: String = "certs"

        @Option(help: "Days the certificate is valid.")
        var days: Int = 30

        func run() async throws {
            guard (1...825).contains(days) else { throw ValidationError("--days must be between 1 and 825") }
            let paths = try TLSSetup.writeSelfSigned(to: out, validDays: days)
            print("wrote \(paths.certificate) and \(paths.key)")
            print("serve:  assay serve --tls-cert \(paths.certificate) --tls-key \(paths.key)")
            print("call:   curl --cacert \(paths.certificate) -H \"Authorization: Bearer $ASSAY_TOKEN\" https://localhost:8000/genesets")
        }
    }
}
