import Clocks
import Foundation
import GraphEmulator
import Testing

@Suite("The emulator's Graph surface and its errors")
struct EmulatorProtocolTests {
    static let mb = 1024 * 1024

    @Test func noTokenWrongTokenAndUnknownItems() async throws {
        try await EmulatorHarness.with { harness in
            let none = try await harness.send(.GET, harness.graph + "/me/messages")
            #expect(none.status == 401)
            #expect(none.errorCode == "InvalidAuthenticationToken")
            #expect(none.headers.first(name: "request-id") != nil)
            let wrong = try await harness.graph(.GET, "/me/messages", token: "nope")
            #expect(wrong.status == 401)
            let unknown = try await harness.graph(.GET, "/me/messages/AAMkADnothere=")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "ErrorItemNotFound")
            let error = try #require(unknown.json["error"] as? [String: Any])
            #expect((error["message"] as? String)?.isEmpty == false)
            #expect((error["innerError"] as? [String: Any])?["request-id"] as? String == unknown.headers.first(name: "request-id"))
            let unknownAttachment = try await harness.graph(.GET, "/me/messages/\(try await harness.firstItem())/attachments/nothere")
            #expect(unknownAttachment.status == 404)
            let bogus = try await harness.graph(.GET, "/me/contacts")
            #expect(bogus.status == 400)
        }
    }

    @Test func listsHonourSelectTopAndPageOnWithNextLink() async throws {
        try await EmulatorHarness.with { harness in
            let page = try await harness.graph(.GET, "/me/messages?$select=subject&$top=2")
            #expect(page.status == 200)
            let value = try #require(page.json["value"] as? [[String: Any]])
            #expect(value.count == 2)
            #expect(Set(value[0].keys) == ["@odata.etag", "id", "subject"])
            var next = page.json["@odata.nextLink"] as? String
            var seen = value.count
            while let link = next {
                #expect(link.hasPrefix(harness.graph + "/me/messages?"))
                let reply = try await harness.send(.GET, link, headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
                seen += (reply.json["value"] as? [Any])?.count ?? 0
                next = reply.json["@odata.nextLink"] as? String
            }
            #expect(seen == 5)
            let events = try await harness.graph(.GET, "/me/events")
            let subjects = (events.json["value"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } ?? []
            #expect(subjects.contains("会議: 予算の見直し"))
            #expect(subjects.contains("Offsite in Lisboa 🇵🇹"))
            let first = try #require((events.json["value"] as? [[String: Any]])?.first)
            #expect((first["start"] as? [String: Any])?["timeZone"] as? String == "UTC")
        }
    }

    @Test func draftsAreCreatedAndAttachmentsPostedReadAndDeleted() async throws {
        try await EmulatorHarness.with { harness in
            let draft = try await harness.graph(.POST, "/me/messages", json: #"{"subject":"Olá — test","body":{"contentType":"text","content":"hi"}}"#)
            #expect(draft.status == 201)
            #expect(draft.json["isDraft"] as? Bool == true)
            let id = try #require(draft.json["id"] as? String)
            let contents = testBytes(count: 1000)
            let posted = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments",
                json: ##"{"@odata.type":"#microsoft.graph.fileAttachment","name":"notes.txt","contentBytes":"\##(contents.base64EncodedString())"}"##)
            #expect(posted.status == 201)
            #expect(posted.json["contentType"] as? String == "text/plain")
            // Outlook's size counts more than the bytes (1000 × 3640066 / 3483322, as in the seed).
            #expect(posted.json["size"] as? Int == 1045)
            let attachmentID = try #require(posted.json["id"] as? String)
            let item = try await harness.graph(.GET, "/me/messages/\(id)?$select=hasAttachments")
            #expect(item.json["hasAttachments"] as? Bool == true)
            let full = try await harness.graph(.GET, "/me/messages/\(id)/attachments/\(attachmentID)")
            #expect(full.json["contentBytes"] as? String == contents.base64EncodedString())
            let selected = try await harness.graph(.GET, "/me/messages/\(id)/attachments/\(attachmentID)?$select=name,size")
            #expect(selected.json["contentBytes"] == nil)
            let value = try await harness.graph(.GET, "/me/messages/\(id)/attachments/\(attachmentID)/$value")
            #expect(value.body == contents)
            #expect(value.headers.first(name: "Content-Type") == "text/plain")
            let deleted = try await harness.graph(.DELETE, "/me/messages/\(id)/attachments/\(attachmentID)")
            #expect(deleted.status == 204)
            #expect(try await harness.graph(.GET, "/me/messages/\(id)/attachments/\(attachmentID)").status == 404)
        }
    }

    @Test func sessionSizeLimitsAndPermissions() async throws {
        let readOnly = EmulatorConfiguration.StaticToken(token: "read-only", user: EmulatorConfiguration.demoUser, scopes: EmulatorConfiguration.StaticToken.readOnlyScopes)
        try await EmulatorHarness.with(EmulatorConfiguration(tokens: [.init(token: EmulatorHarness.demoToken, user: EmulatorConfiguration.demoUser), readOnly])) { harness in
            let id = try await harness.firstItem()
            let tooBig = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments/createUploadSession",
                json: #"{"attachmentItem":{"attachmentType":"file","name":"huge","size":\#(150 * Self.mb + 1)}}"#)
            #expect(tooBig.status == 400)
            #expect(tooBig.errorCode == "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize")
            let limit = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments/createUploadSession",
                json: #"{"attachmentItem":{"attachmentType":"file","name":"max","size":\#(150 * Self.mb)}}"#)
            #expect(limit.status == 201)
            let denied = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments/createUploadSession", token: "read-only",
                json: #"{"AttachmentItem":{"attachmentType":"file","name":"x","size":\#(4 * Self.mb)}}"#)
            #expect(denied.status == 403)
            #expect(denied.errorCode == "ErrorAccessDenied")
            // Reading needs only Mail.Read.
            #expect(try await harness.graph(.GET, "/me/messages/\(id)/attachments?$select=id", token: "read-only").status == 200)
            let itemType = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments/createUploadSession",
                json: #"{"AttachmentItem":{"attachmentType":"item","name":"x","size":\#(4 * Self.mb)}}"#)
            // Graph's 405 (microsoft-graph-docs-contrib #710).
            #expect(itemType.status == 405)
            #expect(itemType.errorCode == "ErrorAttachmentSessionIsSupportedOnlyForFileAttachments")
            // Graph needs the attachmentType; a session without one is refused.
            let untyped = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments/createUploadSession", json: #"{"AttachmentItem":{"name":"x","size":\#(4 * Self.mb)}}"#)
            #expect(untyped.status == 400)
            #expect(untyped.text.contains("attachmentType"))
        }
    }

    /// Upload URLs name a host of their own, as outlook.office.com is beside graph.microsoft.com;
    /// neither host serves the other's paths.
    @Test func uploadURLsLiveOnAHostOfTheirOwn() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let size = 4 * Self.mb
            let url = try await harness.createSession(on: id, size: size)
            #expect(url.hasPrefix(harness.emulator.uploadOrigin + "/api/v2.0/"))
            #expect(harness.emulator.uploadOrigin != harness.origin)
            let path = String(url.dropFirst(harness.emulator.uploadOrigin.count))
            let onGraph = try await harness.put(harness.origin + path, bytes: testBytes(count: size), range: 0..<327_680, total: size)
            #expect(onGraph.status == 404)
            #expect(try await harness.send(.GET, harness.emulator.uploadOrigin + "/v1.0/me/messages", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")]).status == 404)
            // Neither request touched the session.
            let state = try await harness.send(.GET, url)
            #expect(state.json["NextExpectedRanges"] as? [String] == ["0-\(size - 1)"])
            let done = try await harness.put(url, bytes: testBytes(count: size), range: 0..<size, total: size)
            #expect(done.status == 201)
            #expect(done.headers.first(name: "Location")?.hasPrefix(harness.emulator.uploadOrigin + "/api/v2.0/") == true)
        }
    }

    @Test func theUploadURLIsItsOwnKey() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let size = 4 * Self.mb
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            // A bearer token is refused outright, never taken in place of the authtoken.
            let withBearer = try await harness.put(url, bytes: bytes, range: 0..<327_680, total: size, extraHeaders: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(withBearer.status == 401)
            let tokenless = String(url[..<url.range(of: "?")!.lowerBound])
            #expect(try await harness.put(tokenless, bytes: bytes, range: 0..<327_680, total: size).status == 401)
            let bearerOnly = try await harness.put(tokenless, bytes: bytes, range: 0..<327_680, total: size, extraHeaders: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(bearerOnly.status == 401)
            let wrongToken = url.replacingOccurrences(of: "authtoken=", with: "authtoken=x")
            #expect(try await harness.put(wrongToken, bytes: bytes, range: 0..<327_680, total: size).status == 401)
            let otherSession = try await harness.createSession(on: id, size: size)
            let crossed = String(url[..<url.range(of: "?")!.lowerBound]) + String(otherSession[otherSession.range(of: "?")!.lowerBound...])
            #expect(try await harness.put(crossed, bytes: bytes, range: 0..<327_680, total: size).status == 401)
            // Nothing above changed the session.
            let state = try await harness.send(.GET, url)
            #expect(state.status == 200)
            #expect(state.json["NextExpectedRanges"] as? [String] == ["0-\(size - 1)"])
            #expect(try await harness.stats()["bearerOnUploadURL"] == 2)
        }
    }

    @Test func wrongRangesGet4xxAndChangeNothing() async throws {
        // The 413 ends its connection once the server has read and dropped the rest of the
        // body for `lingerTime`; with every test running at once, 5 s was once too short for
        // the client to write its 4 MiB.
        var configuration = EmulatorConfiguration()
        configuration.lingerTime = .seconds(30)
        try await EmulatorHarness.with(configuration) { harness in
            let id = try await harness.firstItem()
            let size = 8 * Self.mb
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            #expect(try await harness.put(url, bytes: bytes, range: 0..<1_000_000, total: size).status == 200)
            func expectUnchanged() async throws {
                let state = try await harness.send(.GET, url)
                #expect(state.json["NextExpectedRanges"] as? [String] == ["1000000-\(size - 1)"])
            }
            // Out of order: the next expected byte is 1000000.
            let ahead = try await harness.put(url, bytes: bytes, range: 2_000_000..<2_100_000, total: size)
            #expect(ahead.status == 416)
            #expect(ahead.errorCode == "ErrorInvalidRange")
            let behind = try await harness.put(url, bytes: bytes, range: 0..<1_000_000, total: size)
            #expect(behind.status == 416)
            try await expectUnchanged()
            // Content-Length and Content-Range disagree.
            let mismatch = try await harness.send(
                .PUT, url,
                headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "bytes 1000000-1000099/\(size)")],
                body: bytes.subdata(in: 1_000_000..<1_000_050))
            #expect(mismatch.status == 400)
            #expect(mismatch.errorCode == "ErrorInvalidContentRange")
            // A total that is not the session's size; a range past the end; no Content-Range.
            #expect(try await harness.put(url, bytes: bytes, range: 1_000_000..<1_000_100, total: size + 1).status == 400)
            let pastEnd = try await harness.send(
                .PUT, url, headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "bytes 1000000-\(size)/\(size)")],
                body: Data(count: size - 1_000_000 + 1))
            #expect(pastEnd.status == 400)
            let noRange = try await harness.send(.PUT, url, headers: [("Content-Type", "application/octet-stream")], body: Data(count: 10))
            #expect(noRange.status == 400)
            // Over the 4 MiB cap.
            // Sent whole before the reply is read, on a connection of its own: an HTTP client
            // that gets the 413 while still writing may report the closed connection instead.
            let path = String(url.dropFirst(harness.emulator.uploadOrigin.count))
            let length = 4 * Self.mb + 1
            let connection = try RawConnection(port: harness.emulator.uploadPort)
            let tooLong = try await RawConnection.run {
                connection.write(
                    "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: \(length)\r\n"
                        + "Content-Range: bytes 1000000-\(1_000_000 + length - 1)/\(size)\r\n\r\n")
                connection.write(bytes.subdata(in: 1_000_000..<(1_000_000 + length)))
                return connection.read(until: "\r\n\r\n", within: .seconds(30))
            }
            #expect(tooLong.status == 413)
            // Not octet-stream.
            let wrongType = try await harness.send(
                .PUT, url, headers: [("Content-Type", "text/plain"), ("Content-Range", "bytes 1000000-1000009/\(size)")], body: Data(count: 10))
            #expect(wrongType.status == 415)
            try await expectUnchanged()
            // Exactly 4 MiB is fine, and the rest completes the file.
            #expect(try await harness.put(url, bytes: bytes, range: 1_000_000..<(1_000_000 + 4 * Self.mb), total: size).status == 200)
            let done = try await harness.put(url, bytes: bytes, range: (1_000_000 + 4 * Self.mb)..<size, total: size)
            #expect(done.status == 201)
            let stats = try await harness.stats()
            #expect(stats["rejectedRanges"] == 8)
            #expect(stats["openSessions"] == 0)
        }
    }

    @Test func expiredSessionsAreGone() async throws {
        let time = ManualClock()
        var configuration = EmulatorConfiguration(sessionLifetime: .seconds(3))
        configuration.clock = time.clock
        try await EmulatorHarness.with(configuration) { harness in
            let id = try await harness.firstItem()
            let size = 4 * Self.mb
            let url = try await harness.createSession(on: id, size: size)
            time.advance(by: .milliseconds(2999))
            #expect(try await harness.send(.GET, url).status == 200)
            time.advance(by: .milliseconds(1))
            let expired = try await harness.put(url, bytes: testBytes(count: size), range: 0..<1000, total: size)
            #expect(expired.status == 404)
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func theControlAPIExpiresSessionsAndNeverShowsTokens() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem("events")
            let url = try await harness.createSession(on: id, kind: "events", size: 5 * Self.mb)
            let sessions = try await harness.openSessions()
            #expect(sessions.count == 1)
            let token = String(url[url.range(of: "authtoken=")!.upperBound...])
            let listing = try await harness.send(.GET, harness.origin + "/_emulator/sessions", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(!listing.text.contains(token))
            let sessionID = try #require(sessions.first?["id"] as? String)
            let expire = try await harness.send(.POST, harness.origin + "/_emulator/sessions/\(sessionID)/expire", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(expire.status == 204)
            #expect(try await harness.send(.GET, url).status == 404)
            #expect(try await harness.send(.GET, harness.origin + "/_emulator/stats").status == 401)
            #expect(try await harness.send(.GET, harness.origin + "/_emulator/health").status == 200)
        }
    }

    @Test func aBodyCutShortKeepsWhatArrived() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let size = 4 * Self.mb
            let url = try await harness.createSession(on: id, size: size)
            let (host, port, path) = try Self.split(url)
            // Promise 2 MiB, send 1 MiB, then close the connection.
            let sent = try await RawSocket.sendAndClose(
                host: host, port: port,
                head: "PUT \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/octet-stream\r\nContent-Length: 2097152\r\nContent-Range: bytes 0-2097151/\(size)\r\n\r\n",
                body: testBytes(count: Self.mb))
            #expect(sent == Self.mb)
            var received = 0
            _ = try await harness.until {
                let state = try await harness.send(.GET, url)
                let next = (state.json["NextExpectedRanges"] as? [String])?.first ?? ""
                received = Int(next.split(separator: "-").first ?? "") ?? 0
                return received > 0
            }
            #expect(received == Self.mb)
        }
    }

    static func split(_ url: String) throws -> (String, Int, String) {
        let rest = url.dropFirst("http://".count)
        let slash = try #require(rest.firstIndex(of: "/"))
        let authority = rest[..<slash].split(separator: ":")
        return (String(authority[0]), Int(authority[1])!, String(rest[slash...]))
    }
}
