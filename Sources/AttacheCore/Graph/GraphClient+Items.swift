import AsyncHTTPClient
import Foundation
import NIOFoundationCompat
import NIOHTTP1
import NIOCore

extension GraphClient {
    /// The properties a list asks for: enough for a row, no bodies.
    static func listSelect(for kind: ItemKind) -> [String] {
        switch kind {
        case .message: ["id", "subject", "createdDateTime", "lastModifiedDateTime", "receivedDateTime", "isDraft", "hasAttachments", "from", "toRecipients", "ccRecipients", "bccRecipients"]
        case .event: ["id", "subject", "start", "end", "location", "lastModifiedDateTime", "hasAttachments", "organizer"]
        }
    }

    /// Lists messages or events, following `@odata.nextLink` until `limit` items.
    ///
    /// - Parameters:
    ///   - pageSize: `$top` of each page.
    ///   - expandAttachments: also fetch each item's attachment metadata (`$expand`), for counts.
    public func items(_ kind: ItemKind, limit: Int = 200, pageSize: Int = 50, expandAttachments: Bool = false) async throws -> [OutlookItem] {
        var url = "\(baseURL)/\(mailbox)/\(kind.collection)?$select=\(Self.listSelect(for: kind).joined(separator: ","))&$top=\(pageSize)"
        if expandAttachments {
            url += "&$expand=attachments($select=id,name,contentType,size,isInline,lastModifiedDateTime)"
        }
        let wire: [WireItem] = try await pages(from: url, limit: limit, operation: "list \(kind.collection)")
        return wire.map { $0.item(kind: kind) }
    }

    /// One message or event; `404` when there is none with that id.
    public func item(_ reference: ItemReference) async throws -> OutlookItem {
        let url = itemURL(reference) + "?$select=" + Self.listSelect(for: reference.kind).joined(separator: ",")
        let operation = "find \(reference)"
        let reply = try await send(.GET, url, authorization: .bearer, headers: Self.jsonHeaders, operation: operation)
        return try decode(WireItem.self, from: reply, operation: operation).item(kind: reference.kind)
    }

    /// The signed-in user: `GET /me`.
    public func me() async throws -> GraphUser {
        let operation = "ask who is signed in"
        let reply = try await send(
            .GET, "\(baseURL)/me?$select=id,displayName,userPrincipalName,mail", authorization: .bearer, headers: Self.jsonHeaders,
            operation: operation)
        return try decode(GraphUser.self, from: reply, operation: operation)
    }

    /// Creates a draft message with this subject, to attach files to.
    public func createDraft(subject: String) async throws -> OutlookItem {
        struct Draft: Encodable {
            var subject: String
            var body: Body
            struct Body: Encodable {
                var contentType = "text"
                var content = ""
            }
        }
        let operation = "create a draft \"\(subject)\""
        let reply = try await send(
            .POST, "\(baseURL)/\(mailbox)/messages", authorization: .bearer, headers: Self.jsonHeaders,
            body: Self.jsonBody(Draft(subject: subject, body: .init())), operation: operation)
        return try decode(WireItem.self, from: reply, operation: operation).item(kind: .message)
    }
}

extension GraphClient {
    /// Every element of a Graph collection from `url` on, following `@odata.nextLink`, up to `limit`.
    ///
    /// The server decides where each link leads, so the walk is bounded by attache: a link
    /// to a page already read (a loop) is refused, and so is a walk past ``maximumPages``.
    func pages<Value: Decodable>(from url: String, limit: Int = .max, operation: String) async throws -> [Value] {
        var values: [Value] = []
        var next: String? = url
        var seen: Set<String> = []
        while let pageURL = next, values.count < limit {
            guard seen.insert(pageURL).inserted else {
                throw GraphError(
                    kind: .malformedReply, message: "its @odata.nextLink leads back to a page already read, so the list would never end",
                    operation: operation)
            }
            guard seen.count <= maximumPages else {
                throw GraphError(
                    kind: .malformedReply, message: "its @odata.nextLink went on past \(maximumPages) pages; attache stopped there",
                    operation: operation)
            }
            let reply = try await send(.GET, pageURL, authorization: .bearer, headers: Self.jsonHeaders, operation: operation)
            let page = try decode(GraphPage<Value>.self, from: reply, operation: operation)
            values += page.value
            next = page.nextLink
        }
        return Array(values.prefix(limit))
    }
}

/// A user as `GET /me` gives it.
public struct GraphUser: Decodable, Hashable, Sendable {
    public var id: String?
    public var displayName: String?
    public var userPrincipalName: String?
    public var mail: String?
}

/// A message or event as Graph writes it.
struct WireItem: Decodable {
    struct Location: Decodable {
        var displayName: String?
    }

    var id: String
    var subject: String?
    var createdDateTime: String?
    var lastModifiedDateTime: String?
    var receivedDateTime: String?
    var isDraft: Bool?
    var hasAttachments: Bool?
    var start: DateTimeTimeZone?
    var end: DateTimeTimeZone?
    var location: Location?
    var attachments: [AttachmentInfo]?
    var from: WireRecipient?
    var organizer: WireRecipient?
    var toRecipients: [WireRecipient]?
    var ccRecipients: [WireRecipient]?
    var bccRecipients: [WireRecipient]?
    var attendees: [WireAttendee]?
    var body: WireBody?
    var webLink: String?
    var isOrganizer: Bool?

    func item(kind: ItemKind) -> OutlookItem {
        OutlookItem(
            id: id, kind: kind, subject: subject, createdDateTime: createdDateTime,
            lastModifiedDateTime: lastModifiedDateTime, receivedDateTime: receivedDateTime, isDraft: isDraft,
            hasAttachments: hasAttachments, start: start, end: end,
            location: location?.displayName.flatMap { $0.isEmpty ? nil : $0 }, attachments: attachments,
            from: (kind == .message ? from : organizer)?.emailAddress, recipients: recipients(kind: kind))
    }

    /// To, cc and bcc together, when the reply had any of them.
    func recipients(kind: ItemKind) -> [EmailAddress]? {
        guard kind == .message, toRecipients != nil || ccRecipients != nil || bccRecipients != nil else { return nil }
        return [toRecipients, ccRecipients, bccRecipients].compactMap { $0 }.flatMap { $0 }.compactMap(\.emailAddress)
    }
}

/// Graph's `itemBody`: `{"contentType": "text" | "html", "content": …}`.
struct WireBody: Codable {
    var contentType: String?
    var content: String?
}

/// One page of a Graph collection.
struct GraphPage<Value: Decodable>: Decodable {
    var value: [Value]
    var nextLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
    }
}
