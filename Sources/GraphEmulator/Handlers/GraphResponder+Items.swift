import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// `GET /me/messages` and `/me/events`: `$select`, `$top` (10 by default, as Graph),
    /// `$skip`, `$expand=attachments`, and `@odata.nextLink` while more remain.
    func listItems(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, query: ODataQuery, grant: Grant) async throws -> Response {
        try require(grant, read: kind)
        let owner = try await mailboxOwner(of: mailbox, grant: grant, kind: kind, write: false)
        let top = min(max(query.top ?? 10, 1), 1000)
        let skip = max(query.skip ?? 0, 0)
        let (rows, total) = try await store.items(owner: owner.id, kind: kind, skip: skip, top: top)
        let counts = try await store.attachmentCounts(itemIDs: rows.map(\.id))
        var values: [JSONValue] = []
        for row in rows {
            var expanded: [JSONValue]?
            if query.expandAttachments {
                expanded = try await store.attachments(itemID: row.id).map { AttachmentRendering.json($0).selecting(query.expandSelect) }
            }
            values.append(
                ItemRendering.json(row, owner: owner, attachmentCount: counts[row.id] ?? 0, attachments: expanded)
                    .selecting(query.select.map { $0 + (query.expandAttachments ? ["attachments"] : []) }))
        }
        let origin = origin(of: request)
        let selected = query.select.map { "(\($0.joined(separator: ",")))" } ?? ""
        var pairs: [(String, JSONValue)] = [
            ("@odata.context", .string("\(origin)/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/\(kind.collection)\(selected)")),
            ("value", .array(values)),
        ]
        if skip + rows.count < total {
            pairs.append(("@odata.nextLink", .string(origin + Self.nextPagePath(request, skip: skip + top, top: top))))
        }
        return json(.object(pairs))
    }

    /// The request's own path and query with `$skip` and `$top` set for the next page.
    static func nextPagePath(_ request: Request, skip: Int, top: Int) -> String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { pair in
            let name = GraphRoute.percentDecode(String(pair.split(separator: "=", maxSplits: 1).first ?? "")).lowercased()
            return name != "$skip" && name != "$top"
        }
        return request.uri.path + "?" + (kept.map(String.init) + ["$top=\(top)", "$skip=\(skip)"]).joined(separator: "&")
    }

    /// `GET /me/messages/{id}` and `/me/events/{id}`.
    func getItem(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, id: String, query: ODataQuery, grant: Grant) async throws -> Response {
        let (owner, row) = try await item(mailbox, kind, id, grant: grant, write: false)
        let count = try await store.attachmentCounts(itemIDs: [row.id])[row.id] ?? 0
        var expanded: [JSONValue]?
        if query.expandAttachments {
            expanded = try await store.attachments(itemID: row.id).map { AttachmentRendering.json($0).selecting(query.expandSelect) }
        }
        let body = ItemRendering.json(row, owner: owner, attachmentCount: count, attachments: expanded).selecting(query.select)
        return json(prependingContext("\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/\(kind.collection)/$entity", to: body))
    }

    /// `POST /me/messages` (a draft) and `POST /me/events`.
    func createItem(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, grant: Grant) async throws -> Response {
        try require(grant, write: kind)
        let owner = try await mailboxOwner(of: mailbox, grant: grant, kind: kind, write: true)
        let body = try await readJSON(request)
        let now = Date()
        var row = ItemRow(
            id: EmulatorIDs.item(), ownerID: owner.id, kind: kind.rawValue,
            subject: body.value(forKeyIgnoringCase: "subject")?.stringValue ?? "",
            bodyContent: body.value(forKeyIgnoringCase: "body")?.value(forKeyIgnoringCase: "content")?.stringValue ?? "",
            createdAt: now, modifiedAt: now, receivedAt: kind == .message ? now : nil, isDraft: kind == .message,
            startAt: nil, endAt: nil, location: nil, recipients: nil)
        if kind == .event {
            row.startAt = Self.parseLocal(body.value(forKeyIgnoringCase: "start")) ?? now.addingTimeInterval(86_400)
            row.endAt = Self.parseLocal(body.value(forKeyIgnoringCase: "end")) ?? row.startAt?.addingTimeInterval(3600)
            row.location = body.value(forKeyIgnoringCase: "location")?.value(forKeyIgnoringCase: "displayName")?.stringValue
        }
        try await store.insert(item: row)
        let rendered = ItemRendering.json(row, owner: owner, attachmentCount: 0)
        let context = "\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/\(kind.collection)/$entity"
        return json(prependingContext(context, to: rendered), status: .created)
    }

    func prependingContext(_ context: String, to value: JSONValue) -> JSONValue {
        guard case .object(let pairs) = value else { return value }
        return .object([("@odata.context", .string(context))] + pairs)
    }

    /// Reads a JSON request body of up to `limit` bytes.
    func readJSON(_ request: Request, limit: Int = 1 << 20) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw GraphErrorResponse(.contentTooLarge, "ErrorRequestEntityTooLarge", "The request body is too large.")
        }
        guard let value = JSONValue.parse(Data(buffer.readableBytesView)), case .object = value else {
            throw GraphErrorResponse.badRequest("The request body is not a JSON object.")
        }
        return value
    }

    /// A `dateTimeTimeZone` read as UTC.
    static func parseLocal(_ value: JSONValue?) -> Date? {
        guard let text = value?.value(forKeyIgnoringCase: "dateTime")?.stringValue else { return nil }
        var trimmed = text
        if let dot = trimmed.firstIndex(of: ".") { trimmed = String(trimmed[..<dot]) }
        if trimmed.hasSuffix("Z") { trimmed.removeLast() }
        return try? Date(trimmed + "Z", strategy: Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
