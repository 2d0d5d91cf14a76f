import Foundation
import GraphEmulator
import Testing

/// What Graph refuses, the emulator refuses too, with Graph's status and code: a client that
/// passes here has not been let off anything (issue 21's "never kinder" list).
@Suite("Never kinder than Graph")
struct NeverKinderTests {
    static let mib = 1024 * 1024
    static let requestLimit = 4 * mib

    /// An attachment POST's body of exactly `total` bytes (the name padded to fit), or with
    /// the name as given when `total` is nil.
    static func postBody(file: Data, name: String = "x", total: Int? = nil) -> String {
        let encoded = file.base64EncodedString()
        func body(_ name: String) -> String {
            ##"{"@odata.type":"#microsoft.graph.fileAttachment","name":"\##(name)","contentBytes":"\##(encoded)"}"##
        }
        guard let total else { return body(name) }
        let padding = total - body("").utf8.count
        precondition(padding > 0, "the file alone is over \(total) bytes")
        return body(String(repeating: "n", count: padding))
    }

    /// The status of a POST whose body is over the limit, sent whole before the reply is
    /// read, on a connection of its own: an HTTP client that gets the 413 while still
    /// writing may report the closed connection instead of the reply.
    static func statusOfOversizedPost(_ harness: EmulatorHarness, _ path: String, body: String) async throws -> Int? {
        let connection = try RawConnection(port: harness.emulator.port)
        let reply = try await RawConnection.run {
            connection.write(
                "POST /v1.0\(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(EmulatorHarness.demoToken)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            connection.write(body)
            return connection.read(until: "\r\n\r\n", within: .seconds(30))
        }
        return reply.status
    }

    /// Graph counts the request, not the file: 4 MiB of body is taken, one byte more is
    /// 413, whatever the file's size (msgraph-sdk-java #52: 3,145,611 bytes of file at most
    /// with its envelope).
    @Test func aPostOver4MiBOfBodyIs413WhateverTheFileSize() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let largest = testBytes(count: 3_145_611)
            let atLimit = try await harness.graph(.POST, "/me/messages/\(id)/attachments", json: Self.postBody(file: largest, total: Self.requestLimit))
            #expect(atLimit.status == 201, "\(atLimit.text)")
            let over = try await Self.statusOfOversizedPost(harness, "/me/messages/\(id)/attachments", body: Self.postBody(file: largest, total: Self.requestLimit + 1))
            #expect(over == 413)
            // A small file under a name long enough to take the body over: still 413.
            let small = try await Self.statusOfOversizedPost(
                harness, "/me/messages/\(id)/attachments", body: Self.postBody(file: testBytes(count: Self.mib), total: Self.requestLimit + 1))
            #expect(small == 413)
            // A file of more than 3 MB whose body still fits is taken: the rule is the body's.
            let beyond = try await harness.graph(.POST, "/me/messages/\(id)/attachments", json: Self.postBody(file: testBytes(count: 3_145_650)))
            #expect(beyond.status == 201, "\(beyond.text)")
            let names = try await harness.graph(.GET, "/me/messages/\(id)/attachments?$select=name,size")
            #expect((names.json["value"] as? [[String: Any]])?.count == 2)
        }
    }

    /// Sessions start at 2,097,152 bytes, Graph's measured minimum, not at the 3 MB its
    /// docs advise; under it, the seed's error.
    @Test func uploadSessionsStartAt2MiB() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let under = try await harness.graph(
                .POST, "/me/messages/\(id)/attachments/createUploadSession",
                json: #"{"AttachmentItem":{"attachmentType":"file","name":"under","size":\#(2 * Self.mib - 1)}}"#)
            #expect(under.status == 400)
            #expect(under.errorCode == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize")
            let size = 2 * Self.mib
            let url = try await harness.createSession(on: id, name: "two.bin", size: size)
            let bytes = testBytes(count: size)
            #expect(try await harness.put(url, bytes: bytes, range: 0..<size, total: size).status == 201)
        }
    }

    /// A `$select` naming what the type does not have is refused, never ignored: on lists,
    /// on one item, inside `$expand`, on attachments and on the user.
    @Test func selectingAnUnknownPropertyIs400() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let list = try await harness.graph(.GET, "/me/messages?$select=id,subject,isJunk")
            #expect(list.status == 400)
            #expect(list.errorCode == "RequestBroker--ParseUri")
            #expect((list.json["error"] as? [String: Any])?["message"] as? String == "Could not find a property named 'isJunk' on type 'microsoft.graph.message'.")
            let event = try await harness.graph(.GET, "/me/events?$select=subject,venue")
            #expect(event.status == 400)
            #expect(event.text.contains("'microsoft.graph.event'"))
            let one = try await harness.graph(.GET, "/me/messages/\(id)?$select=subjectLine")
            #expect(one.status == 400)
            let expanded = try await harness.graph(.GET, "/me/messages?$select=id&$expand=attachments($select=name,checksum)")
            #expect(expanded.status == 400)
            #expect(expanded.text.contains("'microsoft.graph.attachment'"))
            let attachments = try await harness.graph(.GET, "/me/messages/\(id)/attachments?$select=name,bytes")
            #expect(attachments.status == 400)
            let me = try await harness.graph(.GET, "/me?$select=displayName,shoeSize")
            #expect(me.status == 400)
            #expect(me.errorCode == "Request_BadRequest")
            // Real properties pass, rendered or not, in any case.
            #expect(try await harness.graph(.GET, "/me/messages?$select=id,Subject,importance,inferenceClassification").status == 200)
            #expect(try await harness.graph(.GET, "/me/events?$select=id,showAs,onlineMeeting&$expand=attachments($select=name,contentId)").status == 200)
            #expect(try await harness.graph(.GET, "/me?$select=id,jobTitle,mail").status == 200)
        }
    }

    /// `$top` and `$skip` must be non-negative integers, with the OData library's message.
    @Test func aBadTopOrSkipIs400() async throws {
        try await EmulatorHarness.with { harness in
            for (query, option, value) in [("$top=-1", "$top", "-1"), ("$top=abc", "$top", "abc"), ("$skip=-3", "$skip", "-3"), ("$skip=1.5", "$skip", "1.5")] {
                let reply = try await harness.graph(.GET, "/me/messages?$select=id&\(query)")
                #expect(reply.status == 400, "\(query)")
                #expect(reply.errorCode == "BadRequest", "\(query)")
                #expect(
                    (reply.json["error"] as? [String: Any])?["message"] as? String
                        == "Invalid value '\(value)' for \(option) query option found. The \(option) query option requires a non-negative integer value.")
            }
            #expect(try await harness.graph(.GET, "/me/messages?$select=id&$top=2&$skip=1").status == 200)
        }
    }

    /// `--range-key-case camel` spells the upload host's keys as graph.microsoft.com's
    /// clouds have; the default is the seed's PascalCase.
    @Test(arguments: [EmulatorConfiguration.RangeKeyCase.pascal, .camel])
    func theUploadHostSpellsItsKeysAsTold(_ spelling: EmulatorConfiguration.RangeKeyCase) async throws {
        var configuration = EmulatorConfiguration()
        configuration.rangeKeyCase = spelling
        try await EmulatorHarness.with(configuration) { harness in
            let id = try await harness.firstItem()
            let size = 3 * Self.mib
            let url = try await harness.createSession(on: id, size: size)
            let put = try await harness.put(url, bytes: testBytes(count: size), range: 0..<Self.mib, total: size)
            let state = try await harness.send(.GET, url)
            let (expected, absent) = spelling == .camel ? ("nextExpectedRanges", "NextExpectedRanges") : ("NextExpectedRanges", "nextExpectedRanges")
            let expiry = spelling == .camel ? "expirationDateTime" : "ExpirationDateTime"
            for reply in [put, state] {
                #expect(reply.json[absent] == nil)
                #expect(reply.json[expiry] is String)
            }
            #expect(put.json[expected] as? [String] == ["\(Self.mib)"])
            #expect(state.json[expected] as? [String] == ["\(Self.mib)-\(size - 1)"])
        }
        #expect(EmulatorConfiguration().rangeKeyCase == .pascal)
    }

    /// A session's upload URL can be turned away with 401 for good, as in Outlook's
    /// incidents: every later request to it, whatever the method, and the bytes it held are
    /// out of reach. Graph itself still takes a new session.
    @Test func anUploadURLRevokedAnswers401FromThenOn() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let size = 3 * Self.mib
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            #expect(try await harness.put(url, bytes: bytes, range: 0..<Self.mib, total: size).status == 200)
            let sessions = try await harness.send(.GET, harness.origin + "/_emulator/sessions", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            let sessionID = try #require((sessions.json["value"] as? [[String: Any]])?.first?["id"] as? String)
            let revoked = try await harness.send(
                .POST, harness.origin + "/_emulator/sessions/\(sessionID)/revoke", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(revoked.status == 204)
            let put = try await harness.put(url, bytes: bytes, range: Self.mib..<size, total: size)
            #expect(put.status == 401)
            #expect(put.errorCode == "InvalidAuthenticationToken")
            #expect(try await harness.send(.GET, url).status == 401)
            #expect(try await harness.send(.DELETE, url).status == 401)
            let fresh = try await harness.createSession(on: id, size: size)
            #expect(try await harness.put(fresh, bytes: bytes, range: 0..<size, total: size).status == 201)
            let stats = try await harness.send(.GET, harness.origin + "/_emulator/stats", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(stats.json["revokedSessions"] as? Int == 1)
        }
    }

    /// Outlook's 429s name the limit, never the budget in numbers: a client can learn only
    /// from `Retry-After` and what it saw accepted.
    @Test func throttlingMessagesNameNoNumbers() async throws {
        var replies: [EmulatorHarness.Reply] = []
        var uploads = EmulatorConfiguration()
        uploads.limits = OutlookLimits(uploadBytes: .init(Int64(Self.mib), per: .seconds(60)))
        try await EmulatorHarness.with(uploads) { harness in
            let id = try await harness.firstItem()
            let size = 3 * Self.mib
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            #expect(try await harness.put(url, bytes: bytes, range: 0..<Self.mib, total: size).status == 200)
            let upload = try await harness.put(url, bytes: bytes, range: Self.mib..<(Self.mib + 1), total: size)
            #expect(upload.status == 429)
            #expect(upload.errorCode == "ApplicationThrottled")
            #expect((upload.json["error"] as? [String: Any])?["message"] as? String == "Application is over its IncomingBytes limit.")
            #expect(upload.headers.first(name: "Retry-After").flatMap(Int.init) != nil)
            replies.append(upload)
        }
        // One request at a time: while a slow range holds the place, the next is refused.
        var concurrent = EmulatorConfiguration(rangeDelay: .seconds(2))
        concurrent.limits = OutlookLimits(concurrentRequests: 1)
        try await EmulatorHarness.with(concurrent) { harness in
            let id = try await harness.firstItem()
            let size = 3 * Self.mib
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            let held = Task { try await harness.put(url, bytes: bytes, range: 0..<Self.mib, total: size) }
            var refused: EmulatorHarness.Reply?
            for _ in 0..<300 where refused == nil {
                let reply = try await harness.graph(.GET, "/me/messages?$select=id&$top=1")
                if reply.status == 429 { refused = reply } else { try await Task.sleep(for: .milliseconds(10)) }
            }
            // Whichever came second was refused: the GET while the slow range held the place,
            // or the range, when a GET held it.
            let range = try await held.value
            let reply = try #require(refused ?? (range.status == 429 ? range : nil))
            #expect(reply.errorCode == "ApplicationThrottled")
            #expect((reply.json["error"] as? [String: Any])?["message"] as? String == "Application is over its MailboxConcurrency limit.")
            #expect(reply.headers.first(name: "Retry-After") == "1")
            replies.append(reply)
        }
        for reply in replies {
            let message = ((reply.json["error"] as? [String: Any])?["message"] as? String) ?? ""
            #expect(!message.contains { $0.isNumber }, "\(message)")
        }
    }

    /// `--fixture walkthrough` alone: the seed's accounts sign in with the seed's own
    /// tokens, and see their own items.
    @Test func theWalkthroughFixtureWorksAloneWithTheSeedsTokens() async throws {
        try await EmulatorHarness.with(EmulatorConfiguration(fixtures: [.walkthrough])) { harness in
            let megan = EmulatorConfiguration.walkthroughTokens[0].token
            let adele = EmulatorConfiguration.walkthroughTokens[1].token
            let messages = try await harness.graph(.GET, "/me/messages?$select=id,subject", token: megan)
            #expect(messages.status == 200, "\(messages.text)")
            #expect((messages.json["value"] as? [[String: Any]])?.first?["id"] as? String == "AAMkADI5MAAIT3drCAAA=")
            let events = try await harness.graph(.GET, "/me/events?$select=id", token: adele)
            #expect((events.json["value"] as? [[String: Any]])?.first?["id"] as? String == "AAMkADU5CCmSAAA=")
            // The demo user is not there: its token opens nothing, and the emulator knew it.
            #expect(try await harness.graph(.GET, "/me/messages").status == 401)
            #expect(harness.emulator.usersWithoutAccount == [EmulatorConfiguration.demoUser])
        }
    }
}
