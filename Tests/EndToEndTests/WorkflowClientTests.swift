import AsyncHTTPClient
import Foundation
import GraphEmulator
import Logging
import NIOCore
import Synchronization
import Testing

@testable import AttacheCore

/// The core's side of the workflow around an attachment, against the emulator over HTTP:
/// details, sending, searching, notifying attendees, download progress.
@Suite("The workflow, through the core")
struct WorkflowClientTests {
    /// A client of `harness`'s emulator; the HTTP client is shut down after `body`.
    static func withClient<T>(_ harness: CLIHarness, _ body: (GraphClient) async throws -> T) async throws -> T {
        let http = GraphClient.makeHTTPClient()
        let graph = GraphClient(
            baseURL: harness.emulator.graphBaseURL, http: http, credentials: StaticAccessToken(CLIHarness.token), logger: Logger(label: "test"))
        do {
            let result = try await body(graph)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static func item(_ graph: GraphClient, _ kind: ItemKind, _ subject: String) async throws -> OutlookItem {
        try #require(try await graph.items(kind).first { $0.subject == subject })
    }

    @Test func detailsNamePeopleAndGiveTheBodyAsText() async throws {
        try await CLIHarness.with { harness in
            try await Self.withClient(harness) { graph in
                let draft = try await Self.item(graph, .message, "Quarterly report — Q3 figures")
                let details = try await graph.itemDetails(draft.reference)
                #expect(details.item.isDraft == true)
                #expect(details.from?.address == EmulatorConfiguration.demoUser)
                #expect(details.to.map(\.display) == ["Inês Sousa <ines.sousa@contoso.test>"])
                #expect(details.cc.map(\.display) == ["José Müller <jose.mueller@contoso.test>"])
                #expect(details.body == "Hi Inês,\nAttached are the Q3 figures & the summary slides.\nRevenue is up 4% on Q2.\nBest,\nDemo")
                #expect(details.webLink?.hasPrefix("https://outlook.office365.com/owa/?ItemID=") == true)
                let received = try await Self.item(graph, .message, "Relatório trimestral: números de setembro")
                // The list asks for the sender, so a filter can match it.
                #expect(received.from?.name == "Inês Sousa")
                #expect(try await graph.itemDetails(received.reference).from?.address == "ines.sousa@contoso.test")
                let review = try await Self.item(graph, .event, "Design review: attache TUI")
                #expect(review.from?.address == EmulatorConfiguration.demoUser)
                let event = try await graph.itemDetails(review.reference)
                #expect(event.organizer?.name == "Demo User")
                #expect(event.attendees.map(\.responseText) == ["accepted", "tentative"])
                #expect(event.attendees.map(\.type) == ["required", "optional"])
                #expect(event.attendees.first?.address == "ines.sousa@contoso.test")
                #expect(event.body == "Walk through the new screens.\nPlease read the notes attached before we meet.")
            }
        }
    }

    @Test func onlyADraftIsSentAndItsIDIsGoneAfter() async throws {
        try await CLIHarness.with { harness in
            try await Self.withClient(harness) { graph in
                let received = try await Self.item(graph, .message, "Café ☕ menu for the offsite")
                await #expect(throws: ItemActionError(.notADraft, item: received.reference, subject: received.subject)) {
                    try await graph.sendDraft(received.reference)
                }
                #expect(try await harness.stats()["sentMessages"] == 0)
                let draft = try await Self.item(graph, .message, "Signed contract scan for legal")
                let sent = try await graph.sendDraft(draft.reference)
                #expect(sent.subject == "Signed contract scan for legal")
                #expect(try await harness.stats()["sentMessages"] == 1)
                let again = await #expect(throws: GraphError.self) { try await graph.sendDraft(draft.reference) }
                #expect(again?.status == 404)
                let moved = try await Self.item(graph, .message, "Signed contract scan for legal")
                #expect(moved.isDraft == false)
                #expect(moved.id != draft.id)
            }
        }
    }

    @Test func searchesUseSearchForMessagesAndTheSubjectForEvents() async throws {
        try await CLIHarness.with { harness in
            try await Self.withClient(harness) { graph in
                #expect(try await graph.searchItems(.message, matching: "cafe", limit: 10).map(\.subject) == ["Café ☕ menu for the offsite"])
                #expect(try await graph.searchItems(.message, matching: "José", limit: 10).map(\.subject) == ["Café ☕ menu for the offsite"])
                // Quotes and backslashes in the text are escaped, not a broken query.
                #expect(try await graph.searchItems(.message, matching: #"say "hi" \ bye"#, limit: 10).isEmpty)
                let paged = try await graph.searchItems(.message, matching: "attach", limit: 2)
                #expect(paged.map(\.subject) == ["Quarterly report — Q3 figures", "Café ☕ menu for the offsite"])
                #expect(try await graph.searchItems(.event, matching: "REVIEW", limit: 10).map(\.subject) == ["Design review: attache TUI"])
                #expect(try await graph.searchItems(.event, matching: "d'équipe", limit: 10).map(\.subject) == ["Réunion d'équipe hebdomadaire"])
                #expect(try await graph.searchItems(.message, matching: "  ", limit: 3).count == 3)
            }
        }
    }

    @Test func notifyingAttendeesUpdatesTheEventOnlyWhereItReachesSomeone() async throws {
        try await CLIHarness.with { harness in
            try await Self.withClient(harness) { graph in
                let review = try await Self.item(graph, .event, "Design review: attache TUI")
                let before = try await graph.itemDetails(review.reference)
                let told = try await graph.notifyAttendees(of: review.reference)
                #expect(told.count == 2)
                #expect(try await harness.stats()["attendeeNotifications"] == 2)
                // The body is written back as it was.
                #expect(try await graph.itemDetails(review.reference).body == before.body)
                let theirs = try await Self.item(graph, .event, "会議: 予算の見直し")
                await #expect(throws: ItemActionError(.notOrganizer, item: theirs.reference, subject: theirs.subject)) {
                    try await graph.notifyAttendees(of: theirs.reference)
                }
                let alone = try await harness.postJSON("/me/events", ["subject": "Focus time"])
                let aloneID = try #require(alone["id"] as? String)
                await #expect(throws: ItemActionError(.noAttendees, item: .event(aloneID), subject: "Focus time")) {
                    try await graph.notifyAttendees(of: .event(aloneID))
                }
                #expect(try await harness.stats()["attendeeNotifications"] == 2)
            }
        }
    }

    @Test func downloadsReportTheirProgress() async throws {
        try await CLIHarness.with { harness in
            try await Self.withClient(harness) { graph in
                let item = try await Self.item(graph, .message, "Quarterly report — Q3 figures")
                let contents = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
                let info = try await graph.postAttachment(
                    name: "two.bin", contentType: "application/octet-stream", contents: .init(bytes: contents), to: item.reference)
                let counts = Mutex<[Int64]>([])
                let result = try await graph.downloadAttachment(info.id, of: item.reference, to: nil) { count in
                    counts.withLock { $0.append(count) }
                }
                let seen = counts.withLock { $0 }
                #expect(result.bytes == 2_000_000)
                #expect(seen.last == 2_000_000)
                #expect(seen == seen.sorted() && Set(seen).count == seen.count)
            }
        }
    }
}
