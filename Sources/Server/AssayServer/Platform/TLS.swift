import Crypto
import Foundation
public import NIOSSL
import SwiftASN1
import X509

/// TLS for the server: PEM certificate chain and key, TLS 1.2 at least (NIOSSL's default minimum is 1.0).
public enum TLSSetup {
    /// A certificate or key file could not be used.
    public struct Invalid: Error, CustomStringConvertible {
        /// What went wrong, naming the file.
        public let reason: String
        public var description: String { reason }
    }

    /// The server configuration for a PEM certificate chain and private key.
    public static func serverConfiguration(certificatePath: String, keyPath: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Invalid(reason: "cannot read the TLS certificate \(certificatePath) (PEM expected): \(error)")
        }
        guard !chain.isEmpty else { throw Invalid(reason: "no certificate in \(certificatePath)") }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Invalid(reason: "cannot read the TLS private key \(keyPath) (PEM expected): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Writes a self-signed certificate for `localhost` and `127.0.0.1` (`cert.pem`) and its P-256 key
    /// (`key.pem`, readable by the owner only) into `directory`, for development.
    @discardableResult
    public static func writeSelfSigned(to directory: String, validDays: Int = 30) throws -> (certificate: String, key: String) {
        let signingKey = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(signingKey)
        let name = try DistinguishedName {
            OrganizationName("Assay development")
            CommonName("localhost")
        }
        let now = Date()
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(validDays) * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: key)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificatePath = directory + "/cert.pem"
        let keyPath = directory + "/key.pem"
        try Data(try certificate.serializeAsPEM().pemString.utf8).write(to: URL(fileURLWithPath: certificatePath))
        guard
            FileManager.default.createFile(atPath: keyPath, contents: Data(signingKey.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else { throw Invalid(reason: "cannot write \(keyPath)") }
        return (certificatePath, keyPath)
    }
}
