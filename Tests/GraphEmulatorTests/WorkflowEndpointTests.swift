import Foundation
import GraphEmulator
import Testing

@testable import GraphEmulator

/// Sending drafts, updating events, richer items, bodies as text and `$search`: the
/// emulator answers as Graph does, refusals included.
@Suite("Send, update, search")
struct WorkflowEndpointTests {
    /// The demo user's messages (or events) by subject, with every property.
    static func bySubject(_ harness: EmulatorHarness, _ collection: String = "messages", headers: [(String, String)] = []) async throws -> [String: [String: Any]] {
        let reply = try await harness.graph(.GET, "/me/\(collection)?$top=50", headers: headers)
        let values = try #require(reply.json["value"] as? [[String: Any]])
        return Dictionary(values.map { ($0["subject"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func id(_ item: [String: Any]?) throws -> String {
        try #require(item?["id"] as? String)
    }

    static func address(_ recipient: Any?) -> String? {
        ((recipient as? [String: Any])?["emailAddress"] as? [String: Any])?["address"] as? String
    }

    @Test func sendingADraftMovesItToSentItemsUnderANewID() async throws {
        try await EmulatorHarness.with { harness in
            let draft = try Self.id(try await Self.bySubject(harness)["Quarterly report — Q3 figures"])
            let attached = try await harness.graph(
                .POST, "/me/messages/\(draft)/attachments",
                json: ##"{"@odata.type":"#microsoft.graph.fileAttachment","name":"q3.txt","contentBytes":"UTM="}"##)
            #expect(attached.status == 201)
            let sent = try await harness.graph(.POST, "/me/messages/\(draft)/send", headers: [("Content-Length", "0")])
            #expect(sent.status == 202, "\(sent.text)")
            #expect(sent.body.isEmpty)
            // The draft's id names nothing now; the message is there under a new one.
            #expect(try await harness.graph(.GET, "/me/messages/\(draft)").status == 404)
            #expect(try await harness.graph(.POST, "/me/messages/\(draft)/send").status == 404)
            let messages = try await Self.bySubject(harness)
            #expect(messages.count == 5)
            let moved = try #require(messages["Quarterly report — Q3 figures"])
            let newID = try Self.id(moved)
            #expect(newID != draft)
            #expect(moved["isDraft"] as? Bool == false)
            #expect(moved["sentDateTime"] is String)
            #expect(moved["hasAttachments"] as? Bool == true)
            let list = try await harness.graph(.GET, "/me/messages/\(newID)/attachments")
            #expect((list.json["value"] as? [[String: Any]])?.first?["name"] as? String == "q3.txt")
            // Sent now, so newest: first in the list.
            #expect(try await harness.firstItem() == newID)
            // The OData spelling of the action, on the other draft.
            let other = try Self.id(messages["Signed contract scan for legal"])
            let spelled = try await harness.graph(.POST, "/me/Messages('\(other)')/microsoft.graph.send", headers: [("Content-Length", "0")])
            #expect(spelled.status == 202, "\(spelled.text)")
            #expect(try await harness.stats()["sentMessages"] == 2)
        }
    }

    @Test func sendingRefusesWhatIsNotADraftOrHasNoRecipientOrLacksMailSend() async throws {
        let noSend = EmulatorConfiguration.StaticToken(token: "no-send", user: EmulatorConfiguration.demoUser, scopes: ["Mail.ReadWrite", "User.Read"])
        try await EmulatorHarness.with(EmulatorConfiguration(tokens: [.init(token: EmulatorHarness.demoToken, user: EmulatorConfiguration.demoUser), noSend])) {
            harness in
            let messages = try await Self.bySubject(harness)
            let received = try Self.id(messages["Café ☕ menu for the offsite"])
            let refused = try await harness.graph(.POST, "/me/messages/\(received)/send")
            #expect(refused.status == 400)
            #expect(refused.errorCode == "ErrorInvalidRequest")
            let created = try await harness.graph(.POST, "/me/messages", json: #"{"subject":"Nobody to send to"}"#)
            let lonely = try #require(created.json["id"] as? String)
            let noRecipients = try await harness.graph(.POST, "/me/messages/\(lonely)/send")
            #expect(noRecipients.status == 400)
            #expect(noRecipients.errorCode == "ErrorInvalidRecipients")
            #expect(noRecipients.text.contains("A message can't be sent because it contains no recipients"))
            let draft = try Self.id(messages["Quarterly report — Q3 figures"])
            let withoutScope = try await harness.graph(.POST, "/me/messages/\(draft)/send", token: "no-send")
            #expect(withoutScope.status == 403)
            // Events have no send action.
            let event = try await harness.firstItem("events")
            #expect(try await harness.graph(.POST, "/me/events/\(event)/send").status == 400)
            #expect(try await harness.stats()["sentMessages"] == 0)
            #expect(try await harness.graph(.GET, "/me/messages/\(draft)").status == 200)
        }
    }

    /// A delegate sends from a shared mailbox with Mail.Send.Shared, and not without it.
    @Test func aDelegateSendsFromASharedMailboxWithMailSendShared() async throws {
        let ownOnly = EmulatorConfiguration.StaticToken(
            token: "own-send", user: EmulatorConfiguration.demoUser, scopes: ["Mail.ReadWrite", "Mail.ReadWrite.Shared", "Mail.Send"])
        try await EmulatorHarness.with(EmulatorConfiguration(tokens: [.init(token: EmulatorHarness.demoToken, user: EmulatorConfiguration.demoUser), ownOnly])) {
            harness in
            let shared = "/users/\(EmulatorConfiguration.sharedMailbox)/messages"
            let list = try await harness.graph(.GET, shared + "?$select=id,subject,isDraft")
            let draft = try #require((list.json["value"] as? [[String: Any]])?.first { $0["isDraft"] as? Bool == true })
            let id = try Self.id(draft)
            #expect(draft["subject"] as? String == "Supplier invoices to file")
            #expect(try await harness.graph(.POST, shared + "/\(id)/send", token: "own-send").status == 403)
            let sent = try await harness.graph(.POST, shared + "/\(id)/send")
            #expect(sent.status == 202, "\(sent.text)")
        }
    }

    @Test func messagesAndEventsCarryTheirPeopleAndBodies() async throws {
        try await EmulatorHarness.with { harness in
            let messages = try await Self.bySubject(harness)
            let report = try #require(messages["Quarterly report — Q3 figures"])
            #expect(report["isDraft"] as? Bool == true)
            #expect(Self.address(report["from"]) == EmulatorConfiguration.demoUser)
            #expect((report["toRecipients"] as? [Any])?.compactMap(Self.address) == ["ines.sousa@contoso.test"])
            #expect((report["ccRecipients"] as? [Any])?.compactMap(Self.address) == ["jose.mueller@contoso.test"])
            #expect((report["body"] as? [String: Any])?["contentType"] as? String == "html")
            let relatorio = try #require(messages["Relatório trimestral: números de setembro"])
            #expect(relatorio["isDraft"] as? Bool == false)
            #expect(((relatorio["from"] as? [String: Any])?["emailAddress"] as? [String: Any])?["name"] as? String == "Inês Sousa")
            let drafts = messages.values.filter { $0["isDraft"] as? Bool == true }.compactMap { $0["subject"] as? String }.sorted()
            #expect(drafts == ["Quarterly report — Q3 figures", "Signed contract scan for legal"])
            let events = try await Self.bySubject(harness, "events")
            let review = try #require(events["Design review: attache TUI"])
            let attendees = try #require(review["attendees"] as? [[String: Any]])
            #expect(attendees.count == 2)
            #expect(attendees.first?["type"] as? String == "required")
            #expect((attendees.first?["status"] as? [String: Any])?["response"] as? String == "accepted")
            #expect(Self.address(attendees.first) == "ines.sousa@contoso.test")
            #expect(Self.address(review["organizer"]) == EmulatorConfiguration.demoUser)
            #expect(review["isOrganizer"] as? Bool == true)
            #expect(events["会議: 予算の見直し"]?["isOrganizer"] as? Bool == false)
        }
    }

    @Test func preferTextGivesBodiesAsText() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.firstItem()
            let html = try await harness.graph(.GET, "/me/messages/\(id)?$select=body")
            #expect(html.headers["Preference-Applied"].isEmpty)
            let htmlBody = try #require(html.json["body"] as? [String: Any])
            #expect((htmlBody["content"] as? String)?.contains("<p>Attached are the Q3 figures &amp; the summary slides.<br>") == true)
            let asText = try await harness.graph(.GET, "/me/messages/\(id)?$select=body,bodyPreview", headers: [("Prefer", #"outlook.body-content-type="text""#)])
            #expect(asText.headers["Preference-Applied"] == [#"outlook.body-content-type="text""#])
            let body = try #require(asText.json["body"] as? [String: Any])
            #expect(body["contentType"] as? String == "text")
            #expect(body["content"] as? String == "Hi Inês,\r\nAttached are the Q3 figures & the summary slides.\r\nRevenue is up 4% on Q2.\r\nBest,\r\nDemo")
            #expect((asText.json["bodyPreview"] as? String)?.hasPrefix("Hi Inês, Attached are the Q3 figures & the summary slides.") == true)
            // In a list, and among other preferences.
            let list = try await harness.graph(
                .GET, "/me/messages?$select=body&$top=1", headers: [("Prefer", #"odata.maxpagesize=5, outlook.body-content-type="text""#)])
            let first = try #require((list.json["value"] as? [[String: Any]])?.first)
            #expect((first["body"] as? [String: Any])?["contentType"] as? String == "text")
            #expect(list.headers["Preference-Applied"] == [#"outlook.body-content-type="text""#])
        }
    }

    @Test func anEventUpdateByItsOrganizerNotifiesTheAttendees() async throws {
        try await EmulatorHarness.with { harness in
            let events = try await Self.bySubject(harness, "events")
            let review = try Self.id(events["Design review: attache TUI"])
            let updated = try await harness.graph(
                .PATCH, "/me/events/\(review)", json: #"{"subject":"Design review: attache TUI (agenda attached)","location":{"displayName":"Room 5"},"unknownThing":1}"#)
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json["subject"] as? String == "Design review: attache TUI (agenda attached)")
            #expect((updated.json["location"] as? [String: Any])?["displayName"] as? String == "Room 5")
            var stats = try await harness.stats()
            #expect(stats["eventUpdatesSent"] == 1)
            #expect(stats["attendeeNotifications"] == 2)
            // Someone else's meeting: the change stays in this calendar; nobody is told.
            let other = try Self.id(events["会議: 予算の見直し"])
            #expect(try await harness.graph(.PATCH, "/me/events/\(other)", json: #"{"body":{"contentType":"text","content":"x"}}"#).status == 200)
            stats = try await harness.stats()
            #expect(stats["attendeeNotifications"] == 2)
            // A received message's subject cannot change; a draft's recipients can.
            let messages = try await Self.bySubject(harness)
            let received = try Self.id(messages["Café ☕ menu for the offsite"])
            let refused = try await harness.graph(.PATCH, "/me/messages/\(received)", json: #"{"subject":"mine now"}"#)
            #expect(refused.status == 400)
            #expect(refused.errorCode == "ErrorInvalidPropertyUpdateSentMessage")
            let draft = try Self.id(messages["Signed contract scan for legal"])
            let readdressed = try await harness.graph(
                .PATCH, "/me/messages/\(draft)", json: #"{"ccRecipients":[{"emailAddress":{"name":"Ken","address":"ken.sato@contoso.test"}}]}"#)
            #expect(readdressed.status == 200)
            #expect((readdressed.json["ccRecipients"] as? [Any])?.compactMap(Self.address) == ["ken.sato@contoso.test"])
            #expect(try await harness.graph(.PATCH, "/me/events/nothing=", json: "{}").status == 404)
        }
    }

    @Test func searchFindsSubjectBodyAndSenderWithoutCaseOrAccents() async throws {
        try await EmulatorHarness.with { harness in
            func subjects(_ query: String) async throws -> [String] {
                let reply = try await harness.graph(.GET, "/me/messages?$select=subject&$search=" + query)
                #expect(reply.status == 200, "\(query): \(reply.text)")
                return (reply.json["value"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
            }
            #expect(try await subjects("%22cafe%22") == ["Café ☕ menu for the offsite"])
            #expect(try await subjects("%22CAF%C3%89%22") == ["Café ☕ menu for the offsite"])
            // The sender's name, accents ignored; the body; two words, both needed.
            #expect(try await subjects("%22muller%22") == ["Café ☕ menu for the offsite"])
            #expect(try await subjects("%22revenue%22") == ["Quarterly report — Q3 figures"])
            #expect(try await subjects("%22allergy%20list%22") == ["Café ☕ menu for the offsite"])
            #expect(try await subjects("%22nothing-like-this%22") == [])
            // Newest first.
            #expect(try await subjects("%22attach%22") == ["Quarterly report — Q3 figures", "Café ☕ menu for the offsite", "Signed contract scan for legal"])
            // Pages follow $skiptoken.
            let first = try await harness.graph(.GET, "/me/messages?$select=subject&$top=2&$search=%22attach%22")
            #expect((first.json["value"] as? [Any])?.count == 2)
            let next = try #require(first.json["@odata.nextLink"] as? String)
            #expect(next.contains("$skiptoken="))
            let second = try await harness.send(.GET, next, headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect(((second.json["value"] as? [[String: Any]])?.compactMap { $0["subject"] as? String }) == ["Signed contract scan for legal"])
            #expect(second.json["@odata.nextLink"] == nil)
        }
    }

    @Test func searchIsRefusedWhereGraphRefusesIt() async throws {
        try await EmulatorHarness.with { harness in
            for query in ["$search=%22a%22&$orderby=subject", "$search=%22a%22&$skip=1", "$search=%22a%22&$filter=contains(subject,'a')", "$search=%22open"] {
                let reply = try await harness.graph(.GET, "/me/messages?" + query)
                #expect(reply.status == 400, "\(query)")
            }
            let events = try await harness.graph(.GET, "/me/events?$search=%22review%22")
            #expect(events.status == 400)
            #expect(events.errorCode == "ErrorInvalidUrlQuery")
            // What events take instead: contains(subject,…), quotes doubled.
            let filtered = try await harness.graph(.GET, "/me/events?$select=subject&$filter=" + "contains(subject,'REVIEW')".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(((filtered.json["value"] as? [[String: Any]])?.compactMap { $0["subject"] as? String }) == ["Design review: attache TUI"])
            let quoted = try await harness.graph(.GET, "/me/events?$select=subject&$filter=" + "contains(subject,'d''équipe')".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(((quoted.json["value"] as? [[String: Any]])?.compactMap { $0["subject"] as? String }) == ["Réunion d'équipe hebdomadaire"])
            #expect(try await harness.graph(.GET, "/me/events?$filter=start/dateTime%20ge%20'2020'").status == 400)
        }
    }

    @Test func sendRoutes() {
        #expect(GraphRoute.parse("/v1.0/me/messages/M=/send") == .sendMessage(.me, "M="))
        #expect(GraphRoute.parse("/v1.0/me/Messages('M=')/microsoft.graph.send") == .sendMessage(.me, "M="))
        #expect(GraphRoute.parse("/v1.0/users/u@t/messages/M/SEND") == .sendMessage(.user("u@t"), "M"))
        #expect(GraphRoute.parse("/v1.0/me/events/E/send") == nil)
        #expect(GraphRoute.parse("/v1.0/me/messages/M/send/x") == nil)
    }
}
