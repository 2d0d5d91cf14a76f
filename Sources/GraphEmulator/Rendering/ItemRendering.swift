import Foundation

/// Messages and events as Graph writes them, with every property a `$select` may name.
enum ItemRendering {
    static func json(_ item: ItemRow, owner: UserRow, attachmentCount: Int, attachments: [JSONValue]? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("@odata.etag", .string("W/\"\(Int64(item.modifiedAt.timeIntervalSince1970 * 1000))\"")),
            ("id", .string(item.id)),
            ("createdDateTime", .string(GraphTimestamp.seconds(item.createdAt))),
            ("lastModifiedDateTime", .string(GraphTimestamp.seconds(item.modifiedAt))),
        ]
        let sender: JSONValue = .object([
            ("emailAddress", .object([("name", .string(owner.displayName)), ("address", .string(owner.userPrincipalName))]))
        ])
        switch item.itemKind {
        case .message:
            pairs += [
                ("receivedDateTime", .string(GraphTimestamp.seconds(item.receivedAt ?? item.createdAt))),
                ("sentDateTime", item.isDraft ? .null : .string(GraphTimestamp.seconds(item.createdAt))),
                ("hasAttachments", .bool(attachmentCount > 0)),
                ("subject", .string(item.subject)),
                ("bodyPreview", .string(String(item.bodyContent.prefix(255)))),
                ("importance", .string("normal")),
                ("isRead", .bool(true)),
                ("isDraft", .bool(item.isDraft)),
                ("body", .object([("contentType", .string("text")), ("content", .string(item.bodyContent))])),
                ("from", sender),
                ("toRecipients", .array([])),
            ]
        case .event:
            pairs += [
                ("subject", .string(item.subject)),
                ("bodyPreview", .string(String(item.bodyContent.prefix(255)))),
                ("hasAttachments", .bool(attachmentCount > 0)),
                ("isAllDay", .bool(false)),
                ("start", item.startAt.map(GraphTimestamp.local) ?? .null),
                ("end", item.endAt.map(GraphTimestamp.local) ?? .null),
                ("location", .object([("displayName", .string(item.location ?? ""))])),
                ("organizer", sender),
            ]
        }
        if let attachments { pairs.append(("attachments", .array(attachments))) }
        return .object(pairs)
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
            ("contentId", .null),
            ("contentLocation", .null),
        ]
        if let contentBytes { pairs.append(("contentBytes", .string(contentBytes))) }
        return .object(pairs)
    }
}
