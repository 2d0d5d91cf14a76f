import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension GraphClient {
    /// Makes a draft with recipients, subject, body, importance and `from`: `POST /me/messages`.
    public func createDraft(_ content: DraftContent) async throws -> OutlookItem {
        let operation = "create a draft \"\((content.subject ?? "").terminalSafe)\""
        var wire = content.wire(allRecipients: false)
        if wire.body == nil { wire.body = WireBody(contentType: "text", content: "") }
        let reply = try await send(
            .POST, "\(baseURL)/\(mailbox)/messages", authorization: .bearer, headers: Self.jsonHeaders, body: Self.jsonBody(wire),
            operation: operation)
        return try decode(WireItem.self, from: reply, operation: operation).item(kind: .message)
    }

    /// What a reply or a forward answers with.
    public enum Response: String, Sendable, Hashable {
        case reply = "createReply"
        case replyAll = "createReplyAll"
        case forward = "createForward"
    }

    /// Has Graph make the draft that answers `message` (`createReply`, `createReplyAll`,
    /// `createForward`): its recipients and quoted body are Graph's; a forward carries the
    /// message's attachments. 201 with the draft.
    public func createResponse(_ response: Response, to message: ItemReference) async throws -> OutlookItem {
        let operation = "make a draft to \(response == .forward ? "forward" : "reply to") \(message)"
        let reply = try await send(
            .POST, itemURL(message, response.rawValue), authorization: .bearer, headers: Self.jsonHeaders,
            body: .bytes(ByteBuffer(string: "{}")), operation: operation)
        return try decode(WireItem.self, from: reply, operation: operation).item(kind: .message)
    }

    /// Writes what `content` sets into a draft (`PATCH`): recipients only when some are
    /// given, so a reply keeps the ones Graph chose unless told otherwise.
    @discardableResult
    public func updateDraft(_ message: ItemReference, with content: DraftContent) async throws -> OutlookItem {
        let operation = "write the draft \(message)"
        let reply = try await send(
            .PATCH, itemURL(message), authorization: .bearer, headers: Self.jsonHeaders, body: Self.jsonBody(content.wire(allRecipients: false)),
            operation: operation)
        return try decode(WireItem.self, from: reply, operation: operation).item(kind: .message)
    }

    /// Deletes a message (a draft that will not be sent): `DELETE` → 204.
    public func deleteMessage(_ message: ItemReference) async throws {
        _ = try await send(.DELETE, itemURL(message), authorization: .bearer, operation: "delete the draft \(message)")
    }

    /// A message's body as it is (type and content), to write a reply's text above it.
    public func messageBody(_ message: ItemReference) async throws -> (isHTML: Bool, content: String) {
        let operation = "read \(message)"
        let reply = try await send(.GET, itemURL(message) + "?$select=body", authorization: .bearer, headers: Self.jsonHeaders, operation: operation)
        let wire = try decode(WireItem.self, from: reply, operation: operation)
        return (wire.body?.contentType?.lowercased() == "html", wire.body?.content ?? "")
    }

    /// Has Graph make the reply or forward, then writes `content` into it: its text above
    /// Graph's quote (in the quote's type), its recipients, when given, in place of Graph's.
    /// Returns the draft as written.
    public func answer(_ response: Response, to message: ItemReference, with content: DraftContent) async throws -> OutlookItem {
        let draft = try await createResponse(response, to: message)
        var update = content
        update.subject = nil
        if let body = content.body, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let current = try await messageBody(draft.reference)
            update.body = DraftContent.text(body, isHTML: content.isHTML, above: current.content, quoteIsHTML: current.isHTML)
            update.isHTML = current.isHTML
        } else {
            update.body = nil
        }
        guard update != DraftContent(isHTML: update.isHTML) else { return draft }
        return try await updateDraft(draft.reference, with: update)
    }
}
