import Foundation
import GraphEmulator
import Testing

@testable import GraphEmulator

/// Drafts with recipients, body, `from` and importance; replies and forwards; and the
/// refusals Graph makes when such a draft is sent or attached to.
@Suite("Compose endpoints")
struct ComposeEndpointTests {
    static func draft(_ harness: EmulatorHarness, _ json: String) async throws -> [String: Any] {
        let made = try await harness.graph(.POST, "/me/messages", json: json)
        #expect(made.status == 201, "\(made.text)")
        return made.json
    }

    static func sends(_ harness: EmulatorHarness) async throws -> [[String: Any]] {
        let reply = try await harness.send(.GET, harness.origin + "/_emulator/stats", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
        return reply.json["sends"] as? [[String: Any]] ?? []
    }

    static func addresses(_ value: Any?) -> [String] {
        (value as? [[String: Any]] ?? []).compactMap { WorkflowEndpointTests.address($0) }
    }

    @Test func aDraftKeepsRecipientsBodyFromAndImportanceOnCreateAndPatch() async throws {
        try await EmulatorHarness.with { harness in
            let made = try await Self.draft(
                harness,
                #"{"subject":"Hi","body":{"contentType":"HTML","content":"<p>x</p>"},"toRecipients":[{"emailAddress":{"address":"a@contoso.test"}}],"#
                    + #""bccRecipients":[{"emailAddress":{"name":"B","address":"b@contoso.test"}}],"importance":"high","from":{"emailAddress":{"address":"shared@attache.test"}}}"#)
            #expect(Self.addresses(made["toRecipients"]) == ["a@contoso.test"])
            #expect(Self.addresses(made["bccRecipients"]) == ["b@contoso.test"])
            #expect(made["importance"] as? String == "high")
            #expect(WorkflowEndpointTests.address(made["from"]) == "shared@attache.test")
            #expect((made["body"] as? [String: Any])?["contentType"] as? String == "html")
            let id = try #require(made["id"] as? String)
            let patched = try await harness.graph(
                .PATCH, "/me/messages/\(id)", json: #"{"ccRecipients":[{"emailAddress":{"address":"c@contoso.test"}}],"importance":"low","from":null}"#)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(Self.addresses(patched.json["ccRecipients"]) == ["c@contoso.test"])
            #expect(patched.json["importance"] as? String == "low")
            #expect(WorkflowEndpointTests.address(patched.json["from"]) == EmulatorConfiguration.demoUser)
            let bad = try await harness.graph(.PATCH, "/me/messages/\(id)", json: #"{"importance":"urgent"}"#)
            #expect(bad.status == 400)
        }
    }

    @Test func sendRefusesNoRecipientAndAnUnallowedFrom() async throws {
        try await EmulatorHarness.with { harness in
            let empty = try #require(try await Self.draft(harness, #"{"subject":"Nobody"}"#)["id"] as? String)
            let none = try await harness.graph(.POST, "/me/messages/\(empty)/send")
            #expect(none.status == 400)
            #expect(none.text.contains("ErrorInvalidRecipients"))
            // Only Bcc is a recipient too.
            let bccOnly = try #require(
                try await Self.draft(harness, #"{"subject":"Bcc","bccRecipients":[{"emailAddress":{"address":"b@contoso.test"}}]}"#)["id"] as? String)
            #expect(try await harness.graph(.POST, "/me/messages/\(bccOnly)/send").status == 202)
            let boss = try #require(
                try await Self.draft(
                    harness, #"{"subject":"As boss","toRecipients":[{"emailAddress":{"address":"a@contoso.test"}}],"from":{"emailAddress":{"address":"boss@contoso.test"}}}"#
                )["id"] as? String)
            let denied = try await harness.graph(.POST, "/me/messages/\(boss)/send")
            #expect(denied.status == 403)
            #expect(denied.text.contains("ErrorSendAsDenied"))
            // The shared mailbox the demo user is a delegate of may be sent as.
            let shared = try #require(
                try await Self.draft(
                    harness, #"{"subject":"As team","toRecipients":[{"emailAddress":{"address":"a@contoso.test"}}],"from":{"emailAddress":{"address":"shared@attache.test"}}}"#
                )["id"] as? String)
            #expect(try await harness.graph(.POST, "/me/messages/\(shared)/send").status == 202)
            let sends = try await Self.sends(harness)
            #expect(sends.map { $0["subject"] as? String } == ["Bcc", "As team"])
            #expect(sends.last?["from"] as? String == "shared@attache.test")
        }
    }

    @Test func anUploadSessionForAnItemAttachmentIsRefusedAsGraphRefusesIt() async throws {
        try await EmulatorHarness.with { harness in
            let item = try await harness.firstItem()
            let reply = try await harness.graph(
                .POST, "/me/messages/\(item)/attachments/createUploadSession",
                json: #"{"AttachmentItem":{"attachmentType":"item","name":"flower","size":3483322}}"#)
            #expect(reply.status == 405)
            #expect(reply.text.contains("ErrorAttachmentSessionIsSupportedOnlyForFileAttachments"))
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func aSentDraftTakesNoMoreAttachmentsUnderItsOldIDAndItsSessionsEnd() async throws {
        try await EmulatorHarness.with { harness in
            let draft = try #require(
                try await Self.draft(harness, #"{"subject":"S","toRecipients":[{"emailAddress":{"address":"a@contoso.test"}}]}"#)["id"] as? String)
            let url = try await harness.createSession(on: draft, size: 3_000_000)
            let bytes = testBytes(count: 3_000_000)
            #expect(try await harness.put(url, bytes: bytes, range: 0..<327_680, total: 3_000_000).status == 200)
            #expect(try await harness.graph(.POST, "/me/messages/\(draft)/send").status == 202)
            let next = try await harness.put(url, bytes: bytes, range: 327_680..<655_360, total: 3_000_000)
            #expect(next.status == 404)
            let post = try await harness.graph(
                .POST, "/me/messages/\(draft)/attachments", json: ##"{"@odata.type":"#microsoft.graph.fileAttachment","name":"late.txt","contentBytes":"UTM="}"##)
            #expect(post.status == 404)
            #expect(post.text.contains("ErrorItemNotFound"))
            let sends = try await Self.sends(harness)
            #expect((sends.first?["attachments"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func repliesAndForwardsAreDraftsAndAForwardCarriesTheAttachments() async throws {
        try await EmulatorHarness.with { harness in
            let messages = try await WorkflowEndpointTests.bySubject(harness)
            let menu = try WorkflowEndpointTests.id(messages["Café ☕ menu for the offsite"])
            let attached = try await harness.graph(
                .POST, "/me/messages/\(menu)/attachments",
                json: ##"{"@odata.type":"#microsoft.graph.fileAttachment","name":"menu.txt","contentBytes":"bWVudQ==","isInline":true,"contentId":"menu1"}"##)
            #expect(attached.status == 201)
            #expect(attached.json["contentId"] as? String == "menu1")
            let reply = try await harness.graph(.POST, "/me/messages/\(menu)/createReply", json: #"{"comment":"ignored"}"#)
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json["subject"] as? String == "RE: Café ☕ menu for the offsite")
            #expect(reply.json["isDraft"] as? Bool == true)
            #expect(Self.addresses(reply.json["toRecipients"]) == ["jose.mueller@contoso.test"])
            #expect(reply.json["hasAttachments"] as? Bool == false)
            let all = try await harness.graph(.POST, "/me/messages/\(menu)/createReplyAll")
            #expect(all.status == 201, "\(all.text)")
            #expect(Self.addresses(all.json["toRecipients"]) == ["jose.mueller@contoso.test", "ines.sousa@contoso.test"])
            let forward = try await harness.graph(
                .POST, "/me/messages/\(menu)/createForward", json: #"{"toRecipients":[{"emailAddress":{"address":"ken@contoso.test"}}]}"#)
            #expect(forward.status == 201, "\(forward.text)")
            #expect(forward.json["subject"] as? String == "FW: Café ☕ menu for the offsite")
            #expect(Self.addresses(forward.json["toRecipients"]) == ["ken@contoso.test"])
            let id = try #require(forward.json["id"] as? String)
            let list = try await harness.graph(.GET, "/me/messages/\(id)/attachments")
            let copied = try #require((list.json["value"] as? [[String: Any]])?.first)
            #expect(copied["name"] as? String == "menu.txt")
            #expect(copied["contentId"] as? String == "menu1")
            #expect(copied["contentBytes"] as? String == "bWVudQ==")
            // An event has no replies of this kind.
            let event = try await harness.firstItem("events")
            #expect(try await harness.graph(.POST, "/me/events/\(event)/createReply").status == 400)
        }
    }

    @Test func deletingADraftEndsItsSessions() async throws {
        try await EmulatorHarness.with { harness in
            let draft = try #require(try await Self.draft(harness, #"{"subject":"Gone"}"#)["id"] as? String)
            _ = try await harness.createSession(on: draft, size: 3_000_000)
            #expect(try await harness.graph(.DELETE, "/me/messages/\(draft)").status == 204)
            #expect(try await harness.graph(.GET, "/me/messages/\(draft)").status == 404)
            #expect(try await harness.openSessions().isEmpty)
        }
    }
}
