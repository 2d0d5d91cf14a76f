import Foundation
import GraphEmulator
import Testing

/// Replays every request of the seed walkthrough (`shared/seeds/000_8965dd8a5b80edba.txt`)
/// byte for byte, with only the host changed, and checks the seed's statuses, headers and
/// bodies. The seed leaves out the Graph requests' `Authorization` header; Graph needs one,
/// so those requests carry the bearer token of the account the seed's ids belong to, and the
/// upload URL requests carry none, as the seed says.
@Suite("The seed walkthrough, replayed")
struct SeedWalkthroughTests {
    static let messageUser = "a8e8e219-4931-95c1-b73d-62626fd79c32@72aa88bf-76f0-494f-91ab-2d7cd730db47"
    static let eventUser = "d3b9214b-dd8b-441d-b7dc-c446c9fa0e69@98a79ebe-74bf-4e07-a017-7b410848cb32"
    static let messageToken = "token-of-a8e8e219"
    static let eventToken = "token-of-d3b9214b"
    static let fileSize = 3_483_322
    static let flower = testBytes(count: fileSize, jpeg: true)

    static var configuration: EmulatorConfiguration {
        EmulatorConfiguration(
            fixtures: [.walkthrough],
            tokens: [
                .init(token: messageToken, user: "a8e8e219-4931-95c1-b73d-62626fd79c32"),
                .init(token: eventToken, user: "d3b9214b-dd8b-441d-b7dc-c446c9fa0e69"),
            ])
    }

    /// The seed's step 1 body, as printed.
    static let createBody = """
        {
          "AttachmentItem": {
            "attachmentType": "file",
            "name": "flower",
            "size": 3483322
          }
        }
        """

    static var precise: Regex<Substring> { #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/# }
    static var seconds: Regex<Substring> { #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/# }

    /// The keys of a JSON object, in the order the text gives them.
    static func keyOrder(_ text: String, of keys: [String]) -> [String] {
        keys.compactMap { key in text.range(of: "\"\(key)\":").map { (key, $0.lowerBound) } }
            .sorted { $0.1 < $1.1 }.map(\.0)
    }

    struct Flow {
        var collection: String
        var pascal: String
        var itemID: String
        var user: String
        var token: String
    }

    static let message = Flow(collection: "messages", pascal: "Messages", itemID: "AAMkADI5MAAIT3drCAAA=", user: messageUser, token: messageToken)
    static let event = Flow(collection: "events", pascal: "Events", itemID: "AAMkADU5CCmSAAA=", user: eventUser, token: eventToken)

    /// Steps 1 to 3 for one item; returns the attachment id from `Location`.
    func upload(_ flow: Flow, on harness: EmulatorHarness) async throws -> String {
        let origin = harness.origin
        // Upload URLs name another host than Graph, as outlook.office.com is.
        let uploads = harness.emulator.uploadOrigin
        #expect(uploads != origin)
        // Step 1: POST https://graph.microsoft.com/v1.0/me/{messages|events}/{id}/attachments/createUploadSession
        let created = try await harness.send(
            .POST, "\(origin)/v1.0/me/\(flow.collection)/\(flow.itemID)/attachments/createUploadSession",
            headers: [("Content-type", "application/json"), ("Authorization", "Bearer \(flow.token)")],
            body: Data(Self.createBody.utf8))
        #expect(created.status == 201)
        #expect(created.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
        #expect(Self.keyOrder(created.text, of: ["@odata.context", "uploadUrl", "expirationDateTime", "nextExpectedRanges"])
            == ["@odata.context", "uploadUrl", "expirationDateTime", "nextExpectedRanges"])
        let session = created.json
        #expect(session["@odata.context"] as? String == "\(origin)/v1.0/$metadata#microsoft.graph.uploadSession")
        #expect(session["nextExpectedRanges"] as? [String] == ["0-"])
        let expiration = try #require(session["expirationDateTime"] as? String)
        #expect(expiration.wholeMatch(of: Self.precise) != nil)
        let uploadURL = try #require(session["uploadUrl"] as? String)
        let prefix = "\(uploads)/api/v2.0/Users('\(flow.user)')/\(flow.pascal)('\(flow.itemID)')/AttachmentSessions('"
        #expect(uploadURL.hasPrefix(prefix), "\(uploadURL)")
        #expect(uploadURL.contains("')?authtoken="))
        #expect(uploadURL.count > prefix.count + 60)

        // Step 2: PUT bytes 0-2097151/3483322, no Authorization.
        let first = try await harness.put(uploadURL, bytes: Self.flower, range: 0..<2_097_152, total: Self.fileSize)
        #expect(first.status == 200)
        #expect(first.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
        let escapedUser = flow.user.replacingOccurrences(of: "@", with: "%40")
        let escapedItem = flow.itemID.replacingOccurrences(of: "=", with: "%3D")
        #expect(
            first.text
                == #"{"@odata.context":"\#(uploads)/api/v2.0/$metadata#Users('\#(escapedUser)')/\#(flow.pascal)('\#(escapedItem)')/AttachmentSessions/$entity","ExpirationDateTime":"\#(expiration)","NextExpectedRanges":["2097152"]}"#)

        // Step 3: PUT bytes 2097152-3483321/3483322 → 201 with Location and an empty body.
        let last = try await harness.put(uploadURL, bytes: Self.flower, range: 2_097_152..<Self.fileSize, total: Self.fileSize)
        #expect(last.status == 201)
        #expect(last.headers.first(name: "Content-Length") == "0")
        #expect(last.body.isEmpty)
        let location = try #require(last.headers.first(name: "Location"))
        let locationPrefix = "\(uploads)/api/v2.0/Users('\(flow.user)')/\(flow.pascal)('\(flow.itemID)')/Attachments('"
        #expect(location.hasPrefix(locationPrefix) && location.hasSuffix("')"), "\(location)")
        return String(location.dropFirst(locationPrefix.count).dropLast(2))
    }

    @Test func messageAndEventUploadsThenStep4Reads() async throws {
        try await EmulatorHarness.with(Self.configuration) { harness in
            let messageAttachment = try await upload(Self.message, on: harness)
            let eventAttachment = try await upload(Self.event, on: harness)
            #expect(messageAttachment.hasPrefix("AAMkAD") && messageAttachment.hasSuffix("="))

            // Step 4a: GET https://graph.microsoft.com/v1.0/Users('…')/Events('…')/Attachments('…')/$value
            let raw = try await harness.send(
                .GET, "\(harness.origin)/v1.0/Users('\(Self.eventUser)')/Events('AAMkADU5CCmSAAA=')/Attachments('\(eventAttachment)')/$value",
                headers: [("Authorization", "Bearer \(Self.eventToken)")])
            #expect(raw.status == 200)
            #expect(raw.headers.first(name: "content-length") == "3483322")
            #expect(raw.headers.first(name: "Content-type") == "image/jpeg")
            #expect(sha256(raw.body) == sha256(Self.flower))

            // Step 4b: GET https://graph.microsoft.com/api/v1.0/Users('…')/Messages('…')/Attachments('…')?$select=…
            let metadata = try await harness.send(
                .GET,
                "\(harness.origin)/api/v1.0/Users('\(Self.messageUser)')/Messages('AAMkADI5MAAIT3drCAAA=')/Attachments('\(messageAttachment)')?$select=lastModifiedDateTime,name,contentType,size,isInline",
                headers: [("Authorization", "Bearer \(Self.messageToken)")])
            #expect(metadata.status == 200)
            #expect(metadata.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
            let keys = ["@odata.context", "@odata.type", "@odata.mediaContentType", "id", "lastModifiedDateTime", "name", "contentType", "size", "isInline"]
            #expect(Self.keyOrder(metadata.text, of: keys) == keys)
            let json = metadata.json
            #expect(Set(json.keys) == Set(keys))
            #expect(
                json["@odata.context"] as? String
                    == "\(harness.origin)/v1.0/$metadata#users('a8e8e219-4931-95c1-b73d-62626fd79c32%4072aa88bf-76f0-494f-91ab-2d7cd730db47')/messages('AAMkADI5MAAIT3drCAAA%3D')/attachments/$entity")
            #expect(json["@odata.type"] as? String == "#microsoft.graph.fileAttachment")
            #expect(json["@odata.mediaContentType"] as? String == "image/jpeg")
            #expect(json["id"] as? String == messageAttachment)
            #expect((json["lastModifiedDateTime"] as? String)?.wholeMatch(of: Self.seconds) != nil)
            #expect(json["name"] as? String == "flower")
            #expect(json["contentType"] as? String == "image/jpeg")
            // Outlook's size counts more than the file's bytes: exactly the seed's figure.
            #expect(json["size"] as? Int == 3_640_066)
            #expect(json["isInline"] as? Bool == false)
        }
    }

    @Test func cancellingTheSessionAnswers204AndLeavesNothing() async throws {
        try await EmulatorHarness.with(Self.configuration) { harness in
            let uploadURL = try await harness.createSession(on: "AAMkADI5MAAIT3drCAAA=", name: "flower", size: Self.fileSize, token: Self.messageToken)
            let first = try await harness.put(uploadURL, bytes: Self.flower, range: 0..<2_097_152, total: Self.fileSize)
            #expect(first.status == 200)
            // DELETE the upload URL, without Authorization.
            let deleted = try await harness.send(.DELETE, uploadURL)
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            let after = try await harness.send(.GET, uploadURL)
            #expect(after.status == 404)
            let listed = try await harness.graph(.GET, "/me/messages/AAMkADI5MAAIT3drCAAA=/attachments?$select=id", token: Self.messageToken)
            #expect((listed.json["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func theSeedsErrorForSmallFiles() async throws {
        try await EmulatorHarness.with(Self.configuration) { harness in
            let reply = try await harness.graph(
                .POST, "/me/messages/AAMkADI5MAAIT3drCAAA=/attachments/createUploadSession", token: Self.messageToken,
                json: #"{"AttachmentItem":{"attachmentType":"file","name":"small","size":2097151}}"#)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize")
        }
    }

    @Test func eachAccountSeesOnlyItsOwnMailbox() async throws {
        try await EmulatorHarness.with(Self.configuration) { harness in
            let reply = try await harness.graph(.GET, "/me/messages/AAMkADI5MAAIT3drCAAA=", token: Self.eventToken)
            #expect(reply.status == 404)
            let other = try await harness.send(
                .GET, "\(harness.graph)/Users('\(Self.messageUser)')/Messages('AAMkADI5MAAIT3drCAAA=')",
                headers: [("Authorization", "Bearer \(Self.eventToken)")])
            #expect(other.status == 403)
            #expect(other.errorCode == "ErrorAccessDenied")
        }
    }
}
