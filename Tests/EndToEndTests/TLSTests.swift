import Foundation
import GraphEmulator
import NIOSSL
import Testing

/// Real endpoints are https with certificates checked; a corporate proxy's authority can be
/// added with `--ca-file` or `SSL_CERT_FILE`. Tested on loopback with a CA the test makes
/// and a TLS proxy in front of the emulator.
@Suite("TLS")
struct TLSTests {
    /// A certificate authority and a server certificate for 127.0.0.1 it signed, made with
    /// openssl in `directory`.
    static func makeCertificates(in directory: String) async throws -> (ca: String, certificate: String, key: String) {
        let script = """
            set -e
            cd "$0"
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 \
              -subj "/CN=attache test CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null
            """
        let made = try await CLIHarness.run([], prefix: ["/bin/sh", "-c", script, directory], bare: true)
        try #require(made.status == 0, "openssl: \(made.stderr)")
        return (directory + "/ca.pem", directory + "/server.pem", directory + "/server.key")
    }

    static func serverTLS(_ certificates: (ca: String, certificate: String, key: String)) throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.key, format: .pem)))
    }

    @Test func aCertificateNobodyVouchedForIsRefusedThenTrustedWithItsCA() async throws {
        let directory = NSTemporaryDirectory() + "attache-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try await Self.makeCertificates(in: directory)
        try await CLIHarness.withHostileProxy(tls: try Self.serverTLS(certificates), rule: { _ in .forward }) { harness, proxy in
            #expect(harness.graphBase.hasPrefix("https://127.0.0.1:"))
            let refused = try await harness.attache("ls", ["messages"])
            #expect(refused.status == 5, "\(refused.stderr)")
            #expect(refused.stderr.contains("certificate"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--ca-file"), "\(refused.stderr)")

            // The CA on the command line: a session upload over TLS, the upload URL too.
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("secure.bin", size: 5 * 1024 * 1024, seed: 121)
            let uploaded = try await harness.attache("upload", [file.path, "--message", item, "--ca-file", certificates.ca, "--json"])
            #expect(uploaded.status == 0, "\(uploaded.stderr)")
            let id = try #require(uploaded.jsonLines.first?["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            #expect(proxy.exchanges.contains { $0.isUploadURL }, "the upload URL went through TLS too")

            // Or in SSL_CERT_FILE, as other tools read it.
            let listed = try await harness.attache("ls", ["messages"], environment: ["SSL_CERT_FILE": certificates.ca])
            #expect(listed.status == 0, "\(listed.stderr)")
        }
    }

    @Test func plainHTTPIsForLoopbackOnly() async throws {
        let result = try await CLIHarness.run(["ls", "messages", "--graph", "http://graph.example.com/v1.0", "--token", "t"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--graph must be https:// (plain http only for a loopback host"), "\(result.stderr)")
        let authority = try await CLIHarness.run(["login", "--authority", "http://login.example.com"])
        #expect(authority.status == 64)
        #expect(authority.stderr.contains("--authority must be https://"), "\(authority.stderr)")
    }
}
