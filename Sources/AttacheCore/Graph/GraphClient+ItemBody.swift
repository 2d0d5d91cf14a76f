import Foundation
import NIOHTTP1

/// An item's body as Graph holds it: its kind and its content.
public struct ItemBody: Hashable, Sendable, Codable {
    public var contentType: String
    public var content: String

    public init(contentType: String, content: String) {
        self.contentType = contentType
        self.content = content
    }

    public var isHTML: Bool { contentType.lowercased() == "html" }
}

extension GraphClient {
    /// The item's body as it is stored (no `Prefer` header: HTML stays HTML).
    public func itemBody(_ item: ItemReference) async throws -> ItemBody {
        struct Reply: Decodable { var body: ItemBody? }
        let operation = "read the body of \(item)"
        let reply = try await send(.GET, itemURL(item) + "?$select=body", authorization: .bearer, headers: ["Accept": "application/json"], operation: operation)
        return try decode(Reply.self, from: reply, operation: operation).body ?? ItemBody(contentType: "text", content: "")
    }

    /// `PATCH`es the item's body. On an event with attendees, Outlook sends them the update.
    public func replaceItemBody(_ item: ItemReference, with body: ItemBody) async throws {
        struct Patch: Encodable { var body: ItemBody }
        _ = try await send(
            .PATCH, itemURL(item), authorization: .bearer, headers: Self.jsonHeaders, body: Self.jsonBody(Patch(body: body)),
            operation: "put the link in the body of \(item)")
    }

    /// A OneDrive item by id: its name there, and its size.
    public func driveItem(_ id: String) async throws -> DriveItem {
        let operation = "look up the OneDrive file \(id)"
        let reply = try await send(
            .GET, driveRoot + "/items/" + Self.escapeSegment(id) + "?$select=id,name,size,lastModifiedDateTime,webUrl", authorization: .bearer,
            headers: ["Accept": "application/json"], operation: operation)
        return try decode(DriveItem.self, from: reply, operation: operation)
    }
}
