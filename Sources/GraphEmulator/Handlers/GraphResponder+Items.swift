import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// `GET /me/messages` and `/me/events`: `$select`, `$top` (10 by default, as Graph),
    /// `$skip`, `$expand=attachments`, and `@odata.nextLink` while more remain. Messages
    /// take `$search` (paged with `$skiptoken`, refused beside `$orderby`, `$filter` or
    /// `$skip`, as Graph refuses them); events do not, as on Graph: they take
    /// `$filter=contains(subject,'…')`, as messages do.
    func listItems(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, query: ODataQuery, grant: Grant) async throws -> Response {
        try require(grant, read: kind)
        let owner = try await mailboxOwner(of: mailbox, grant: grant, kind: kind, write: false)
        let top = min(max(query.top ?? 10, 1), 1000)
        let rows: [ItemRow]
        var nextPath: String?
        if let raw = query.search {
            let search = try Self.searchQuery(raw, kind: kind, query: query)
            let matched = try await store.allItems(owner: owner.id, kind: kind).filter { row in
                let people = row.people
                let from = people.from ?? ItemPeople.Person(name: owner.displayName, address: owner.userPrincipalName)
                let body = people.isHTML ? BodyText.plain(fromHTML: row.bodyContent) : row.bodyContent
                return search.matches([row.subject, body, from.name, from.address])
            }
            let offset = try Self.offset(ofSkipToken: query.skipToken)
            rows = Array(matched.dropFirst(offset).prefix(top))
            if offset + rows.count < matched.count {
                nextPath = Self.nextPagePath(request, replacing: ["$skiptoken", "$top"], with: ["$top=\(top)", "$skiptoken=\(Self.skipToken(offset + top))"])
            }
        } else {
            let skip = max(query.skip ?? 0, 0)
            let total: Int
            if let raw = query.filter {
                guard let filter = SubjectFilter(raw) else {
                    throw GraphErrorResponse.badRequest(
                        "Invalid filter clause: the emulator evaluates contains(subject,'text') only.", code: "ErrorInvalidUrlQueryFilter")
                }
                let matched = try await store.allItems(owner: owner.id, kind: kind).filter { filter.matches($0.subject) }
                (rows, total) = (Array(matched.dropFirst(skip).prefix(top)), matched.count)
            } else {
                (rows, total) = try await store.items(owner: owner.id, kind: kind, skip: skip, top: top)
            }
            if skip + rows.count < total {
                nextPath = Self.nextPagePath(request, replacing: ["$skip", "$top"], with: ["$top=\(top)", "$skip=\(skip + top)"])
            }
        }
        let counts = try await store.attachmentCounts(itemIDs: rows.map(\.id))
        let bodyType = BodyPreference(request.headers).contentType
        var values: [JSONValue] = []
        for row in rows {
            var expanded: [JSONValue]?
            if query.expandAttachments {
                expanded = try await store.attachments(itemID: row.id).map { AttachmentRendering.json($0).selecting(query.expandSelect) }
            }
            values.append(
                ItemRendering.json(row, owner: owner, attachmentCount: counts[row.id] ?? 0, attachments: expanded, bodyType: bodyType)
                    .selecting(query.select.map { $0 + (query.expandAttachments ? ["attachments"] : []) }))
        }
        let origin = origin(of: request)
        let selected = query.select.map { "(\($0.joined(separator: ",")))" } ?? ""
        var pairs: [(String, JSONValue)] = [
            ("@odata.context", .string("\(origin)/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/\(kind.collection)\(selected)")),
            ("value", .array(values)),
        ]
        if let nextPath { pairs.append(("@odata.nextLink", .string(origin + nextPath))) }
        return json(.object(pairs), headers: BodyPreference(request.headers).appliedHeaders)
    }

    /// A `$search`, checked as Graph checks it.
    static func searchQuery(_ raw: String, kind: ItemKind, query: ODataQuery) throws -> SearchQuery {
        guard kind == .message else {
            throw GraphErrorResponse.badRequest(
                "The query parameter '$search' is not supported on events; use $filter=contains(subject,'…').", code: "ErrorInvalidUrlQuery")
        }
        for (name, given) in [("$orderBy", query.orderBy != nil), ("$filter", query.filter != nil), ("$skip", query.skip != nil)] where given {
            throw GraphErrorResponse.badRequest("The query parameter '\(name)' is not supported with '$search'.", code: "ErrorInvalidUrlQuery")
        }
        guard let search = SearchQuery(raw) else {
            throw GraphErrorResponse.badRequest("Syntax error: the $search value \(raw) is not a quoted search.", code: "BadRequest")
        }
        return search
    }

    /// The pages of a search are marked by an opaque `$skiptoken`, as Graph marks them.
    static func skipToken(_ offset: Int) -> String {
        "MSCLiKeSkip" + String(offset, radix: 16)
    }

    static func offset(ofSkipToken token: String?) throws -> Int {
        guard let token else { return 0 }
        guard token.hasPrefix("MSCLiKeSkip"), let offset = Int(token.dropFirst("MSCLiKeSkip".count), radix: 16), offset >= 0 else {
            throw GraphErrorResponse.badRequest("The $skiptoken is not valid.", code: "ErrorInvalidUrlQuery")
        }
        return offset
    }

    /// The request's own path and query with the options named in `replaced` swapped for `added`.
    static func nextPagePath(_ request: Request, replacing replaced: Set<String>, with added: [String]) -> String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { pair in
            let name = GraphRoute.percentDecode(String(pair.split(separator: "=", maxSplits: 1).first ?? "")).lowercased()
            return !replaced.contains(name)
        }
        return request.uri.path + "?" + (kept.map(String.init) + added).joined(separator: "&")
    }

    /// `GET /me/messages/{id}` and `/me/events/{id}`.
    func getItem(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, id: String, query: ODataQuery, grant: Grant) async throws -> Response {
        let (owner, row) = try await item(mailbox, kind, id, grant: grant, write: false)
        let count = try await store.attachmentCounts(itemIDs: [row.id])[row.id] ?? 0
        var expanded: [JSONValue]?
        if query.expandAttachments {
            expanded = try await store.attachments(itemID: row.id).map { AttachmentRendering.json($0).selecting(query.expandSelect) }
        }
        let preference = BodyPreference(request.headers)
        let body = ItemRendering.json(row, owner: owner, attachmentCount: count, attachments: expanded, bodyType: preference.contentType)
            .selecting(query.select)
        return json(
            prependingContext("\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/\(kind.collection)/$entity", to: body),
            headers: preference.appliedHeaders)
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
        var people = ItemPeople()
        if let type = body.value(forKeyIgnoringCase: "body")?.value(forKeyIgnoringCase: "contentType")?.stringValue?.lowercased(), type == "html" {
            people.bodyType = "html"
        }
        if kind == .message {
            _ = try Self.applyMessageFields(body, to: &people)
        } else if case .array(let attendees) = body.value(forKeyIgnoringCase: "attendees") {
            for attendee in attendees {
                guard let person = try Self.recipients(.array([attendee]), property: "attendees").first else { continue }
                let type = attendee.value(forKeyIgnoringCase: "type")?.stringValue?.lowercased() ?? "required"
                people.attendees.append(.init(person: person, type: type, response: "none"))
            }
        }
        row.people = people
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

    /// `[{"emailAddress": {"name": …, "address": …}}]`, each with an address.
    static func recipients(_ value: JSONValue, property: String) throws -> [ItemPeople.Person] {
        guard case .array(let entries) = value else { throw GraphErrorResponse.badRequest("The property '\(property)' must be an array.") }
        return try entries.map { entry in
            let address = entry.value(forKeyIgnoringCase: "emailAddress")
            guard let text = address?.value(forKeyIgnoringCase: "address")?.stringValue, text.contains("@") else {
                throw GraphErrorResponse.badRequest("At least one recipient isn't valid.", code: "ErrorInvalidRecipients")
            }
            return ItemPeople.Person(name: address?.value(forKeyIgnoringCase: "name")?.stringValue ?? text, address: text)
        }
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
