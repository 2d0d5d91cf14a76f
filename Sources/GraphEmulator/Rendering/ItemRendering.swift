import Foundation

/// Messages and events as Graph writes them, with every property a `$select` may name.
enum ItemRendering {
    /// - Parameter bodyType: the body's content type a `Prefer: outlook.body-content-type`
    ///   header asked for (`text` or `html`); `nil` gives it as stored.
    static func json(_ item: ItemRow, owner: UserRow, attachmentCount: Int, attachments: [JSONValue]? = nil, bodyType: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("@odata.etag", .string("W/\"\(Int64(item.modifiedAt.timeIntervalSince1970 * 1000))\"")),
            ("id", .string(item.id)),
            ("createdDateTime", .string(GraphTimestamp.seconds(item.createdAt))),
            ("lastModifiedDateTime", .string(GraphTimestamp.seconds(item.modifiedAt))),
        ]
        let people = item.people
        let ownerPerson = ItemPeople.Person(name: owner.displayName, address: owner.userPrincipalName)
        let sender = emailAddress(people.from ?? ownerPerson)
        let body = body(of: item, people: people, as: bodyType)
        let preview = String(body.text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").prefix(255))
        switch item.itemKind {
        case .message:
            pairs += [
                ("receivedDateTime", .string(GraphTimestamp.seconds(item.receivedAt ?? item.createdAt))),
                ("sentDateTime", item.isDraft ? .null : .string(GraphTimestamp.seconds(item.receivedAt ?? item.createdAt))),
                ("hasAttachments", .bool(attachmentCount > 0)),
                ("subject", .string(item.subject)),
                ("bodyPreview", .string(preview)),
                ("importance", .string(people.importance ?? "normal")),
                ("isRead", .bool(true)),
                ("isDraft", .bool(item.isDraft)),
                ("webLink", .string(webLink(item))),
                ("body", .object([("contentType", .string(body.type)), ("content", .string(body.content))])),
                ("sender", sender),
                ("from", sender),
                ("toRecipients", .array(people.to.map(emailAddress))),
                ("ccRecipients", .array(people.cc.map(emailAddress))),
                ("bccRecipients", .array((people.bcc ?? []).map(emailAddress))),
            ]
        case .event:
            pairs += [
                ("subject", .string(item.subject)),
                ("bodyPreview", .string(preview)),
                ("hasAttachments", .bool(attachmentCount > 0)),
                ("isAllDay", .bool(false)),
                ("isOrganizer", .bool(people.from.map { $0.address.lowercased() == owner.userPrincipalName.lowercased() } ?? true)),
                ("webLink", .string(webLink(item))),
                ("body", .object([("contentType", .string(body.type)), ("content", .string(body.content))])),
                ("start", item.startAt.map(GraphTimestamp.local) ?? .null),
                ("end", item.endAt.map(GraphTimestamp.local) ?? .null),
                ("location", .object([("displayName", .string(item.location ?? ""))])),
                ("attendees", .array(people.attendees.map(attendee))),
                ("organizer", sender),
            ]
        }
        if let attachments { pairs.append(("attachments", .array(attachments))) }
        return .object(pairs)
    }

    /// The body in the content type asked for (`text` strips HTML; `html` wraps text), with
    /// its text for `bodyPreview`.
    static func body(of item: ItemRow, people: ItemPeople, as wanted: String?) -> (type: String, content: String, text: String) {
        let text = people.isHTML ? BodyText.plain(fromHTML: item.bodyContent) : item.bodyContent
        switch (wanted?.lowercased(), people.isHTML) {
        case ("text", true): return ("text", text, text)
        case ("html", false): return ("html", BodyText.html(fromText: item.bodyContent), text)
        case (_, true): return ("html", item.bodyContent, text)
        case (_, false): return ("text", item.bodyContent, text)
        }
    }

    static func emailAddress(_ person: ItemPeople.Person) -> JSONValue {
        .object([("emailAddress", .object([("name", .string(person.name)), ("address", .string(person.address))]))])
    }

    static func attendee(_ attendee: ItemPeople.Attendee) -> JSONValue {
        .object([
            ("type", .string(attendee.type)),
            ("status", .object([("response", .string(attendee.response)), ("time", .string("0001-01-01T00:00:00Z"))])),
            ("emailAddress", .object([("name", .string(attendee.person.name)), ("address", .string(attendee.person.address))])),
        ])
    }

    /// Where Outlook on the web opens the item, as Graph's `webLink` gives it.
    static func webLink(_ item: ItemRow) -> String {
        let id = item.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? item.id
        let view = item.itemKind == .message ? "ReadMessageItem" : "ICalendarItem"
        return "https://outlook.office365.com/owa/?ItemID=\(id)&exvsurl=1&viewmodel=\(view)"
    }
}

/// File attachments as Graph writes them.
enum AttachmentRendering {
    /// Metadata; `contentBytes` (base64 of the whole file) only when asked for.
    static func json(_ row: AttachmentRow, contentBytes: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("@odata.type", .string("#microsoft.graph.fileAttachment")),
            ("@odata.mediaContentType", .string(row.contentType)),
            ("id", .string(row.id)),
            ("lastModifiedDateTime", .string(GraphTimestamp.seconds(row.modifiedAt))),
            ("name", .string(row.name)),
            ("contentType", .string(row.contentType)),
            ("size", .int(GraphEmulator.reportedSize(ofBytes: row.size))),
            ("isInline", .bool(row.isInline)),
            ("contentId", row.contentId.map(JSONValue.string) ?? .null),
            ("contentLocation", .null),
        ]
        if let contentBytes { pairs.append(("contentBytes", .string(contentBytes))) }
        return .object(pairs)
    }
}
