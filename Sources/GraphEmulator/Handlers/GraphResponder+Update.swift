import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// `PATCH /me/events/{id}` and `/me/messages/{id}`: sets `subject`, `body` and, on
    /// events, `location`; on drafts also `toRecipients`, `ccRecipients`, `bccRecipients`,
    /// `from` and `importance`. Other properties
    /// are ignored. 200 with the item. A message's subject, body and recipients can be
    /// changed only while it is a draft, as on Graph.
    ///
    /// When the organizer updates an event that has attendees, Outlook sends each of them the
    /// update: the emulator counts those notifications (`attendeeNotifications` in
    /// `/_emulator/stats`).
    func updateItem(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, id: String, grant: Grant) async throws -> Response {
        var (owner, row) = try await item(mailbox, kind, id, grant: grant, write: true)
        let body = try await readJSON(request)
        var people = row.people
        var changed = false
        if let subject = body.value(forKeyIgnoringCase: "subject") {
            guard let text = subject.stringValue else { throw GraphErrorResponse.badRequest("The property 'subject' must be a string.") }
            row.subject = text
            changed = true
        }
        if let content = body.value(forKeyIgnoringCase: "body") {
            guard let text = content.value(forKeyIgnoringCase: "content")?.stringValue else {
                throw GraphErrorResponse.badRequest("The property 'body' must be an itemBody with a 'content'.")
            }
            let type = content.value(forKeyIgnoringCase: "contentType")?.stringValue?.lowercased() ?? "text"
            guard type == "text" || type == "html" else {
                throw GraphErrorResponse.badRequest("The body's contentType must be 'text' or 'html'.")
            }
            row.bodyContent = text
            people.bodyType = type
            changed = true
        }
        switch kind {
        case .message:
            if try Self.applyMessageFields(body, to: &people) { changed = true }
            if changed, !row.isDraft {
                throw GraphErrorResponse.badRequest(
                    "The subject, body and recipients of a message can be changed only while it is a draft.",
                    code: "ErrorInvalidPropertyUpdateSentMessage")
            }
        case .event:
            if let location = body.value(forKeyIgnoringCase: "location") {
                row.location = location.value(forKeyIgnoringCase: "displayName")?.stringValue ?? ""
                changed = true
            }
        }
        row.people = people
        row.modifiedAt = GraphTimestamp.storable(Date())
        try await store.insert(item: row)
        let organizer = people.from.map { $0.address.lowercased() == owner.userPrincipalName.lowercased() } ?? true
        if kind == .event, changed, organizer, !people.attendees.isEmpty {
            stats.update {
                $0.eventUpdatesSent += 1
                $0.attendeeNotifications += people.attendees.count
            }
        }
        let count = try await store.attachmentCounts(itemIDs: [row.id])[row.id] ?? 0
        let preference = BodyPreference(request.headers)
        let rendered = ItemRendering.json(row, owner: owner, attachmentCount: count, bodyType: preference.contentType)
        let context = "\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/\(kind.collection)/$entity"
        return json(prependingContext(context, to: rendered), headers: preference.appliedHeaders)
    }
}
