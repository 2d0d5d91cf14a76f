import AsyncHTTPClient
import Foundation
import GraphEmulator
import Testing

/// OneDrive as the emulator serves it: OneDrive's upload rules (202 and camelCase, 320 KiB
/// fragments, under 60 MiB, in order, 416 for a fragment it holds, 507 past the quota),
/// conflict behaviours, links, and the tenant's maximum message size on Outlook's side.
@Suite("OneDrive endpoints")
struct DriveEndpointTests {
    static let fragment = 327_680

    func session(_ harness: EmulatorHarness, path: String = "Attachments/attache/report.bin", behaviour: String = "rename") async throws -> String {
        let reply = try await harness.graph(
            .POST, "/me/drive/root:/\(path):/createUploadSession", json: #"{"item":{"@microsoft.graph.conflictBehavior":"\#(behaviour)"}}"#)
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json["nextExpectedRanges"] as? [String] == ["0-"])
        return try #require(reply.json["uploadUrl"] as? String)
    }

    func driveItems(_ harness: EmulatorHarness) async throws -> [[String: Any]] {
        let reply = try await harness.send(.GET, harness.origin + "/_emulator/drive", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
        return try #require(reply.json["items"] as? [[String: Any]])
    }

    @Test func aFileGoesUpInFragmentsAndIsCommittedWhole() async throws {
        try await EmulatorHarness.with { harness in
            let bytes = testBytes(count: 3 * Self.fragment + 1000)
            let url = try await session(harness)
            #expect(!url.hasPrefix(harness.graph), "upload URLs live on the upload host")
            let first = try await harness.put(url, bytes: bytes, range: 0..<(2 * Self.fragment), total: bytes.count)
            #expect(first.status == 202, "\(first.text)")
            #expect(first.json["nextExpectedRanges"] as? [String] == ["\(2 * Self.fragment)-\(bytes.count - 1)"])
            #expect(first.json["NextExpectedRanges"] == nil, "OneDrive writes camelCase")
            // A fragment it has already: 416.
            let again = try await harness.put(url, bytes: bytes, range: 0..<Self.fragment, total: bytes.count)
            #expect(again.status == 416)
            // GET tells where it stands.
            let status = try await harness.send(.GET, url)
            #expect(status.json["nextExpectedRanges"] as? [String] == ["\(2 * Self.fragment)-\(bytes.count - 1)"])
            let last = try await harness.put(url, bytes: bytes, range: (2 * Self.fragment)..<bytes.count, total: bytes.count)
            #expect(last.status == 201, "\(last.text)")
            #expect(last.json["name"] as? String == "report.bin")
            #expect(last.json["size"] as? Int == bytes.count)
            let id = try #require(last.json["id"] as? String)
            // Its content: a redirect (followed here) to a pre-authenticated URL on the upload
            // host, which takes no bearer token and serves the bytes.
            let content = try await harness.graph(.GET, "/me/drive/items/\(id)/content")
            #expect(content.status == 200)
            #expect(content.headers.first(name: "Server") == "attache-upload-emulator")
            #expect(content.body == bytes)
            let download = try #require(try await harness.graph(.GET, "/me/drive/items/\(id)").json["@microsoft.graph.downloadUrl"] as? String)
            #expect(download.hasPrefix(harness.emulator.uploadOrigin))
            #expect(try await harness.send(.GET, download).body == bytes)
            #expect(try await harness.send(.GET, download, headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")]).status == 401)
            #expect(try await harness.send(.GET, String(download.prefix { $0 != "?" }) + "?authtoken=nope").status == 401)
            let items = try await driveItems(harness)
            #expect(items.first?["sha256"] as? String == sha256(bytes))
            #expect(items.first?["path"] as? String == "/drive/root:/Attachments/attache/report.bin")
            // The item by id, by path, and in its folder's children.
            #expect(try await harness.graph(.GET, "/me/drive/items/\(id)").json["name"] as? String == "report.bin")
            #expect(try await harness.graph(.GET, "/me/drive/root:/Attachments/attache/report.bin").json["id"] as? String == id)
            let children = try await harness.graph(.GET, "/me/drive/root:/Attachments/attache:/children").json["value"] as? [[String: Any]]
            #expect(children?.map { $0["id"] as? String } == [id])
        }
    }

    @Test func fragmentsThatBreakOneDrivesRulesAreRefused() async throws {
        try await EmulatorHarness.with { harness in
            let bytes = testBytes(count: 2 * Self.fragment + 10)
            let url = try await session(harness)
            // Not a multiple of 320 KiB, and not the last.
            let odd = try await harness.put(url, bytes: bytes, range: 0..<(Self.fragment + 4096), total: bytes.count)
            #expect(odd.status == 400)
            #expect(odd.errorCode == "invalidRequest")
            // Out of order: past the next expected byte.
            let skipped = try await harness.put(url, bytes: bytes, range: Self.fragment..<(2 * Self.fragment), total: bytes.count)
            #expect(skipped.status == 416)
            // With a bearer token.
            let bearer = try await harness.put(
                url, bytes: bytes, range: 0..<Self.fragment, total: bytes.count, extraHeaders: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(bearer.status == 401)
            // 60 MiB or more in one fragment.
            // Its head alone is answered: the body is never read (sent whole, a client still
            // writing may see the closed connection instead of the reply).
            let big = 60 * 1024 * 1024
            let target = String(url.dropFirst(harness.emulator.uploadOrigin.count))
            let connection = try RawConnection(port: harness.emulator.uploadPort)
            let tooBig = try await RawConnection.run {
                connection.write(
                    "PUT \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: \(big)\r\nContent-Range: bytes 0-\(big - 1)/\(big + Self.fragment)\r\n\r\n")
                return connection.read(until: "\r\n\r\n", within: .seconds(30))
            }
            #expect(tooBig.status == 413)
            #expect(try await harness.stats()["driveRejectedFragments"] == 3)
            #expect(try await harness.stats()["bearerOnUploadURL"] == 1)
            // None of that changed the session.
            #expect(try await harness.send(.GET, url).json["nextExpectedRanges"] as? [String] == ["0-"])
            // DELETE cancels it.
            #expect(try await harness.send(.DELETE, url).status == 204)
            #expect(try await harness.send(.GET, url).status == 404)
            #expect(try await harness.stats()["driveDeletedSessions"] == 1)
        }
    }

    @Test func conflictsAreRenamedOrRefusedAsAsked() async throws {
        try await EmulatorHarness.with { harness in
            let bytes = testBytes(count: 1000)
            for _ in 0..<2 {
                let url = try await session(harness, path: "notes.txt")
                #expect(try await harness.put(url, bytes: bytes, range: 0..<bytes.count, total: bytes.count).status == 201)
            }
            #expect(try await driveItems(harness).map { $0["name"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["notes 1.txt", "notes.txt"])
            let refused = try await harness.graph(.POST, "/me/drive/root:/notes.txt:/createUploadSession", json: #"{"item":{}}"#)
            #expect(refused.status == 409)
            #expect(refused.errorCode == "nameAlreadyExists")
        }
    }

    @Test func aFullDriveAnswers507() async throws {
        var configuration = EmulatorConfiguration()
        configuration.driveQuota = 1_000_000
        try await EmulatorHarness.with(configuration) { harness in
            let bytes = testBytes(count: 4 * Self.fragment)
            let url = try await session(harness)
            let reply = try await harness.put(url, bytes: bytes, range: 0..<Self.fragment, total: bytes.count)
            #expect(reply.status == 507)
            #expect(reply.errorCode == "quotaLimitReached")
        }
    }

    @Test func linksAreMadeOnceAndAnonymousOnesCanBeTurnedOff() async throws {
        var configuration = EmulatorConfiguration()
        configuration.anonymousLinks = false
        try await EmulatorHarness.with(configuration) { harness in
            let bytes = testBytes(count: 100)
            let url = try await session(harness, path: "a.bin")
            let id = try #require(try await harness.put(url, bytes: bytes, range: 0..<100, total: 100).json["id"] as? String)
            let made = try await harness.graph(.POST, "/me/drive/items/\(id)/createLink", json: #"{"type":"view","scope":"organization"}"#)
            #expect(made.status == 201, "\(made.text)")
            let link = try #require(made.json["link"] as? [String: Any])
            #expect(link["scope"] as? String == "organization")
            #expect((link["webUrl"] as? String)?.isEmpty == false)
            let same = try await harness.graph(.POST, "/me/drive/items/\(id)/createLink", json: #"{"type":"view","scope":"organization"}"#)
            #expect(same.status == 200)
            #expect((same.json["link"] as? [String: Any])?["webUrl"] as? String == link["webUrl"] as? String)
            let anonymous = try await harness.graph(.POST, "/me/drive/items/\(id)/createLink", json: #"{"type":"view","scope":"anonymous"}"#)
            #expect(anonymous.status == 403)
            let noType = try await harness.graph(.POST, "/me/drive/items/\(id)/createLink", json: #"{"scope":"organization"}"#)
            #expect(noType.status == 400)
            // Deleted, it is gone.
            #expect(try await harness.graph(.DELETE, "/me/drive/items/\(id)").status == 204)
            #expect(try await harness.graph(.GET, "/me/drive/items/\(id)").status == 404)
        }
    }

    @Test func theDriveNeedsFilesPermission() async throws {
        var configuration = EmulatorConfiguration()
        configuration.tokens.append(.init(token: "mail-only", user: EmulatorConfiguration.demoUser, scopes: ["Mail.ReadWrite", "User.Read"]))
        try await EmulatorHarness.with(configuration) { harness in
            let reply = try await harness.graph(.POST, "/me/drive/root:/a.bin:/createUploadSession", token: "mail-only", json: #"{"item":{}}"#)
            #expect(reply.status == 403)
            #expect(reply.errorCode == "accessDenied")
        }
    }

    /// Outlook's side: a message may not grow past the tenant's maximum size. The range that
    /// would take it past is refused part-way, and nothing of it is kept.
    @Test func aMessagePastTheTenantsMaximumSizeIsRefused() async throws {
        var configuration = EmulatorConfiguration()
        configuration.maximumMessageSize = 5 * 1024 * 1024
        try await EmulatorHarness.with(configuration) { harness in
            let draft = try await harness.graph(.POST, "/me/messages", json: #"{"subject":"x"}"#)
            let item = try #require(draft.json["id"] as? String)
            let size = 6 * 1024 * 1024
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: item, size: size)
            let range = 3_932_160
            #expect(try await harness.put(url, bytes: bytes, range: 0..<range, total: size).status == 200)
            let refused = try await harness.put(url, bytes: bytes, range: range..<size, total: size)
            #expect(refused.status == 400)
            #expect(refused.errorCode == "ErrorMessageSizeExceeded")
            #expect(try await harness.openSessions().first?["received"] as? Int == range)
            // A POST past it, too.
            let small = testBytes(count: 2_300_000)
            let body = ##"{"@odata.type":"#microsoft.graph.fileAttachment","name":"b.bin","contentBytes":"\##(small.base64EncodedString())"}"##
            // The message holds no attachment yet: two of 2.3 MB fit, not three.
            #expect(try await harness.graph(.POST, "/me/messages/\(item)/attachments", json: body).status == 201)
            let second = try await harness.graph(.POST, "/me/messages/\(item)/attachments", json: body)
            #expect(second.status == 201)
            let third = try await harness.graph(.POST, "/me/messages/\(item)/attachments", json: body)
            #expect(third.errorCode == "ErrorMessageSizeExceeded")
            #expect(try await harness.stats()["messageSizeRefusals"] == 2)
            // A send of a message past the limit (its body grown since) is refused too.
            let big = String(repeating: "x", count: 900_000)
            let patched = try await harness.graph(
                .PATCH, "/me/messages/\(item)", json: #"{"toRecipients":[{"emailAddress":{"address":"a@b.test"}}],"body":{"contentType":"text","content":"\#(big)"}}"#)
            #expect(patched.status == 200)
            let sent = try await harness.graph(.POST, "/me/messages/\(item)/send")
            #expect(sent.status == 400)
            #expect(sent.errorCode == "ErrorMessageSizeExceeded")
            #expect(try await harness.stats()["sentMessages"] == 0)
        }
    }
}
