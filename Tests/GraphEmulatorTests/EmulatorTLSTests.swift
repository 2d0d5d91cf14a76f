import AsyncHTTPClient
import Foundation
import GraphEmulator
import NIOCore
import NIOFoundationCompat
import NIOSSL
import Testing

/// `attache serve --tls`: every listener speaks https with a certificate the emulator's own
/// authority signed, the authority is kept (its key 0600) so a client trusts it once, and
/// every origin the emulator writes (discovery, issuer, upload URLs) is `https`.
@Suite("The emulator over TLS")
struct EmulatorTLSTests {
    static func folder() throws -> String {
        let directory = NSTemporaryDirectory() + "attache-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func theAuthorityIsMadeOnceAndKept() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try EmulatorCertificates.loadOrMake(in: directory, host: "127.0.0.1")
        let second = try EmulatorCertificates.loadOrMake(in: directory, host: "127.0.0.1")
        #expect(first.authorityPEM == second.authorityPEM)
        #expect(first.certificatePEM != second.certificatePEM)
        #expect(first.authorityPath == directory + "/ca.pem")
        let key = try FileManager.default.attributesOfItem(atPath: directory + "/ca-key.pem")
        #expect(key[.posixPermissions] as? Int == 0o600)
        #expect(try String(contentsOfFile: first.authorityPath, encoding: .utf8) == first.authorityPEM)
        // A key that is not the authority's is refused, not used to sign.
        try FileManager.default.removeItem(atPath: directory + "/ca-key.pem")
        let other = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: other) }
        _ = try EmulatorCertificates.loadOrMake(in: other, host: "127.0.0.1")
        try FileManager.default.copyItem(atPath: other + "/ca-key.pem", toPath: directory + "/ca-key.pem")
        #expect(throws: EmulatorTLSError.self) { try EmulatorCertificates.loadOrMake(in: directory, host: "127.0.0.1") }
    }

    @Test func everyListenerSpeaksHTTPSThatItsAuthorityVouchesFor() async throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = EmulatorConfiguration()
        configuration.tls = try EmulatorCertificates.loadOrMake(in: directory, host: "127.0.0.1")
        try await EmulatorHarness.with(configuration) { harness in
            #expect(harness.origin.hasPrefix("https://127.0.0.1:"))
            #expect(harness.emulator.identityOrigin.hasPrefix("https://127.0.0.1:"))
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(directory + "/ca.pem"))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
            do {
                try await Self.checkOrigins(harness, client)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    static func checkOrigins(_ harness: EmulatorHarness, _ client: HTTPClient) async throws {
        func get(_ url: String, token: Bool = false) async throws -> (status: Int, json: [String: Any]) {
            var request = HTTPClientRequest(url: url)
            if token { request.headers.add(name: "Authorization", value: "Bearer \(EmulatorHarness.demoToken)") }
            let response = try await client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:])
        }
        let identity = harness.emulator.identityOrigin
        let discovery = try await get(identity + "/organizations/v2.0/.well-known/openid-configuration")
        #expect(discovery.status == 200)
        #expect(discovery.json["issuer"] as? String == identity + "/{tenantid}/v2.0")
        #expect(discovery.json["token_endpoint"] as? String == identity + "/organizations/oauth2/v2.0/token")
        #expect(try await get(harness.graph + "/me/messages?$select=id", token: true).status == 200)
        var create = HTTPClientRequest(url: harness.graph + "/me/messages/\(try await Self.firstItem(client, harness))/attachments/createUploadSession")
        create.method = .POST
        create.headers.add(name: "Authorization", value: "Bearer \(EmulatorHarness.demoToken)")
        create.headers.add(name: "Content-Type", value: "application/json")
        create.body = .bytes(ByteBuffer(string: #"{"AttachmentItem":{"attachmentType":"file","name":"a.bin","size":3000000}}"#))
        let created = try await client.execute(create, timeout: .seconds(60))
        let session = try JSONSerialization.jsonObject(with: Data(buffer: try await created.body.collect(upTo: 1 << 20))) as? [String: Any]
        #expect((session?["uploadUrl"] as? String)?.hasPrefix(harness.emulator.uploadOrigin + "/api/v2.0/") == true)
        #expect(harness.emulator.uploadOrigin.hasPrefix("https://"))
        // A client that does not trust the authority is refused at the handshake (the
        // client retries the connection until its deadline, hence a short one).
        await #expect(throws: (any Error).self) { _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: harness.origin + "/_emulator/health"), timeout: .seconds(3)) }
    }

    static func firstItem(_ client: HTTPClient, _ harness: EmulatorHarness) async throws -> String {
        var request = HTTPClientRequest(url: harness.graph + "/me/messages?$select=id&$top=1")
        request.headers.add(name: "Authorization", value: "Bearer \(EmulatorHarness.demoToken)")
        let response = try await client.execute(request, timeout: .seconds(60))
        let json = try JSONSerialization.jsonObject(with: Data(buffer: try await response.body.collect(upTo: 1 << 20))) as? [String: Any]
        return try #require((json?["value"] as? [[String: Any]])?.first?["id"] as? String)
    }
}
