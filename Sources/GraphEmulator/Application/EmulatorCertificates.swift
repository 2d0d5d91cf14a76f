import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The emulator's TLS: a certificate authority of its own, kept in its data folder so a
/// client trusts it once, and a server certificate it signs at each start for the loopback
/// names (`127.0.0.1`, `::1`, `localhost`) and the host it listens on.
///
/// Microsoft's libraries take only an `https` authority (MSAL Python refuses any other
/// scheme before a request), so an emulator they can sign in against must speak TLS, with
/// a certificate their own trust store can be told about: `ca.pem`.
public struct EmulatorCertificates: Sendable {
    /// The authority's certificate, PEM: what a client is told to trust.
    public let authorityPEM: String
    /// The server's certificate, PEM.
    public let certificatePEM: String
    /// The server's private key, PEM (PKCS #8).
    let privateKeyPEM: String
    /// Where the authority's certificate is kept.
    public let authorityPath: String

    /// The files in the data folder: the authority's certificate and (0600) its key.
    public static let authorityFile = "ca.pem"
    static let authorityKeyFile = "ca-key.pem"

    /// How long a server certificate is valid: a start is rarely longer.
    static let serverLifetime: TimeInterval = 90 * 24 * 3600
    /// How long the authority is: ten years, so that trusting it once lasts.
    static let authorityLifetime: TimeInterval = 10 * 365 * 24 * 3600

    /// Loads the authority kept in `directory`, or makes one and keeps it there, and signs
    /// a server certificate for the loopback names and `host`.
    ///
    /// - Throws: ``EmulatorTLSError`` when the folder cannot be written or holds an
    ///   authority that cannot be read.
    public static func loadOrMake(in directory: String, host: String, now: Date = Date()) throws(EmulatorTLSError) -> EmulatorCertificates {
        let certificatePath = (directory as NSString).appendingPathComponent(authorityFile)
        let keyPath = (directory as NSString).appendingPathComponent(authorityKeyFile)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let (authority, authorityKey) = try loadAuthority(certificatePath: certificatePath, keyPath: keyPath, now: now)
                ?? makeAuthority(certificatePath: certificatePath, keyPath: keyPath, now: now)
            let serverKey = P256.Signing.PrivateKey()
            let server = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(serverKey.publicKey),
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(serverLifetime),
                issuer: authority.subject, subject: try DistinguishedName { CommonName("attache Graph emulator") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(subjectAlternativeNames(for: host))
                    SubjectKeyIdentifier(hash: Certificate.PublicKey(serverKey.publicKey))
                    // Python's ssl (VERIFY_X509_STRICT, on by default from 3.13) wants it.
                    AuthorityKeyIdentifier(keyIdentifier: try authority.extensions.subjectKeyIdentifier?.keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(authorityKey))
            return EmulatorCertificates(
                authorityPEM: try authority.serializeAsPEM().pemString, certificatePEM: try server.serializeAsPEM().pemString,
                privateKeyPEM: serverKey.pemRepresentation, authorityPath: certificatePath)
        } catch let error as EmulatorTLSError {
            throw error
        } catch let error as CocoaError {
            throw EmulatorTLSError(directory: directory, reason: error.localizedDescription)
        } catch {
            throw EmulatorTLSError(directory: directory, reason: "\(error)")
        }
    }

    /// The kept authority, when both files are there, readable and still valid for a while.
    private static func loadAuthority(certificatePath: String, keyPath: String, now: Date) throws -> (Certificate, P256.Signing.PrivateKey)? {
        let files = FileManager.default
        guard files.fileExists(atPath: certificatePath), files.fileExists(atPath: keyPath) else { return nil }
        let certificate = try Certificate(pemEncoded: try String(contentsOfFile: certificatePath, encoding: .utf8))
        let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: keyPath, encoding: .utf8))
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw EmulatorTLSError(directory: (certificatePath as NSString).deletingLastPathComponent, reason: "\(authorityFile) and \(authorityKeyFile) do not belong together")
        }
        // One about to expire is replaced rather than used to sign a certificate that outlives it.
        guard certificate.notValidAfter > now.addingTimeInterval(serverLifetime) else { return nil }
        return (certificate, key)
    }

    /// A new authority, written to the folder: its key first, 0600, then its certificate.
    private static func makeAuthority(certificatePath: String, keyPath: String, now: Date) throws -> (Certificate, P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("attache")
            CommonName("attache Graph emulator CA")
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(authorityLifetime),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        try write(key.pemRepresentation, to: keyPath, mode: 0o600)
        try write(try certificate.serializeAsPEM().pemString, to: certificatePath, mode: 0o644)
        return (certificate, key)
    }

    /// Written whole to a temporary name, then moved into place: a reader never sees half.
    private static func write(_ text: String, to path: String, mode: Int) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw EmulatorTLSError(directory: (path as NSString).deletingLastPathComponent, reason: "\((path as NSString).lastPathComponent) could not be written")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw EmulatorTLSError(directory: (path as NSString).deletingLastPathComponent, reason: "\((path as NSString).lastPathComponent): \(reason)")
        }
    }

    /// The server side of TLS with these certificates.
    func serverConfiguration() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)))
    }

    /// The loopback names, and `host` when it is another name or address.
    static func subjectAlternativeNames(for host: String) -> [GeneralName] {
        var names: [GeneralName] = [.dnsName("localhost"), ipAddress([127, 0, 0, 1]), ipAddress(Array(repeating: 0, count: 15) + [1])]
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if let address = IPv4Address(bare) {
            if address.bytes != [127, 0, 0, 1] { names.append(ipAddress(address.bytes)) }
        } else if let address = IPv6Address(bare) {
            if address.bytes != Array(repeating: 0, count: 15) + [1] { names.append(ipAddress(address.bytes)) }
        } else if bare.lowercased() != "localhost", !bare.isEmpty {
            names.append(.dnsName(bare))
        }
        return names
    }

    private static func ipAddress(_ bytes: [UInt8]) -> GeneralName {
        .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
    }
}

/// An address written as text, as bytes: `inet_pton` for one family.
private struct IPv4Address {
    let bytes: [UInt8]
    init?(_ text: String) {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &address) { Array($0) }
    }
}

private struct IPv6Address {
    let bytes: [UInt8]
    init?(_ text: String) {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &address) { Array($0) }
    }
}
