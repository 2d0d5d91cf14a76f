import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension GraphClient {
    /// What ``itemDetails(_:)`` asks for beyond a list row.
    static func detailSelect(for kind: ItemKind) -> [String] {
        switch kind {
        // The list already asks for a message's recipients.
        case .message: listSelect(for: kind) + ["body", "webLink"]
        case .event: listSelect(for: kind) + ["attendees", "isOrganizer", "body", "webLink"]
        }
    }

    /// Bodies as text: `Prefer: outlook.body-content-type="text"`.
    static let textBodyHeaders: HTTPHeaders = {
        var headers = jsonHeaders
        headers.add(name: "Prefer", value: "outlook.body-content-type=\"text\"")
        return headers
    }()

    /// One item with its people and its body as text: a message's sender and recipients, an
    /// event's organizer and attendees.
    public func itemDetails(_ reference: ItemReference) async throws -> ItemDetails {
        let operation = "read \(reference)"
        let url = itemURL(reference) + "?$select=" + Self.detailSelect(for: reference.kind).joined(separator: ",")
        let reply = try await send(.GET, url, authorization: .bearer, headers: Self.textBodyHeaders, operation: operation)
        let wire = try decode(WireItem.self, from: reply, operation: operation)
        let content = wire.body?.content ?? ""
        // Asked for text; a server that answers HTML anyway is read as HTML.
        let isHTML = wire.body?.contentType?.lowercased() == "html"
        return ItemDetails(
            item: wire.item(kind: reference.kind),
            from: reference.kind == .message ? wire.from?.emailAddress : nil,
            to: (wire.toRecipients ?? []).compactMap(\.emailAddress),
            cc: (wire.ccRecipients ?? []).compactMap(\.emailAddress),
            organizer: reference.kind == .event ? wire.organizer?.emailAddress : nil,
            attendees: (wire.attendees ?? []).map(\.attendee),
            body: isHTML ? HTMLText.plain(content) : HTMLText.tidy(content),
            webLink: wire.webLink)
    }

    /// Sends a draft: `POST …/messages/{id}/send` (202). Graph moves it to Sent Items, where
    /// it has a new id: the reference names nothing afterwards.
    ///
    /// The message is read first, and one that is not a draft is refused before anything is
    /// sent. Returns the draft as it was.
    /// - Throws: ``ItemActionError`` (`.notADraft`) for a message that was sent or received,
    ///   or an event; ``GraphError`` for the requests (a draft without recipients is refused
    ///   by the server, 400 `ErrorInvalidRecipients`).
    @discardableResult
    public func sendDraft(_ message: ItemReference) async throws -> OutlookItem {
        guard message.kind == .message else { throw ItemActionError(.notADraft, item: message) }
        let draft = try await item(message)
        guard draft.isDraft == true else { throw ItemActionError(.notADraft, item: message, subject: draft.subject) }
        let operation = "send \"\((draft.subject ?? "").terminalSafe)\" (\(message))"
        _ = try await send(
            .POST, itemURL(message, "send"), authorization: .bearer, headers: ["Accept": "application/json"], body: .bytes(ByteBuffer()),
            operation: operation)
        return draft
    }

    /// Finds items whose text holds `text`, newest message first, up to `limit`.
    ///
    /// Messages go through Graph's `$search` (subject, body and sender, as Outlook searches
    /// them), the text quoted as one phrase. Graph has no `$search` for events, so they are
    /// matched with `$filter=contains(subject,'…')`: their subject only.
    public func searchItems(_ kind: ItemKind, matching text: String, limit: Int = 50, expandAttachments: Bool = false) async throws -> [OutlookItem] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return try await items(kind, limit: limit, expandAttachments: expandAttachments) }
        var url = "\(baseURL)/\(mailbox)/\(kind.collection)?$select=\(Self.listSelect(for: kind).joined(separator: ","))&$top=\(min(max(limit, 1), 50))"
        switch kind {
        case .message: url += "&$search=" + Self.searchPhrase(trimmed).percentEncoded()
        case .event: url += "&$filter=" + Self.containsSubject(trimmed).percentEncoded()
        }
        if expandAttachments {
            url += "&$expand=attachments($select=id,name,contentType,size,isInline,lastModifiedDateTime)"
        }
        let wire: [WireItem] = try await pages(from: url, limit: limit, operation: "search \(kind.collection) for \"\(trimmed.terminalSafe)\"")
        return wire.map { $0.item(kind: kind) }
    }

    /// `"text"` for `$search`: one phrase in double quotes, a quote or backslash in it escaped.
    static func searchPhrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `contains(subject,'text')`, a quote in the text doubled as OData writes it.
    static func containsSubject(_ text: String) -> String {
        "contains(subject,'" + text.replacingOccurrences(of: "'", with: "''") + "')"
    }

    /// Has Graph send the event's attendees an update (with the attachments it now has), as
    /// Outlook does when its organizer changes it: the event's body is written again, as it is.
    /// - Returns: the attendees the update goes to.
    /// - Throws: ``ItemActionError`` when the event has no attendees or the signed-in user
    ///   does not organize it (an update would then reach no one); ``GraphError`` for the requests.
    @discardableResult
    public func notifyAttendees(of event: ItemReference) async throws -> [Attendee] {
        struct Update: Encodable {
            var body: WireBody
        }
        let readOperation = "read \(event)"
        let url = itemURL(event) + "?$select=subject,body,attendees,isOrganizer"
        let reply = try await send(.GET, url, authorization: .bearer, headers: Self.jsonHeaders, operation: readOperation)
        let current = try decode(WireItem.self, from: reply, operation: readOperation)
        guard event.kind == .event, !(current.attendees ?? []).isEmpty else {
            throw ItemActionError(.noAttendees, item: event, subject: current.subject)
        }
        guard current.isOrganizer != false else { throw ItemActionError(.notOrganizer, item: event, subject: current.subject) }
        let body = WireBody(contentType: current.body?.contentType ?? "text", content: current.body?.content ?? "")
        _ = try await send(
            .PATCH, itemURL(event), authorization: .bearer, headers: Self.jsonHeaders, body: Self.jsonBody(Update(body: body)),
            operation: "send an update of \"\((current.subject ?? "").terminalSafe)\" (\(event)) to its attendees")
        return (current.attendees ?? []).map(\.attendee)
    }
}
