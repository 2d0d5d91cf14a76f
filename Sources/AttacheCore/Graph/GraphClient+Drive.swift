import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A OneDrive item as Graph answers for one: what attache reads of it.
public struct DriveItem: Hashable, Sendable, Decodable {
    public var id: String
    public var name: String?
    public var size: Int64?
    public var lastModifiedDateTime: String?
    public var webUrl: String?

    public init(id: String, name: String? = nil, size: Int64? = nil, lastModifiedDateTime: String? = nil, webUrl: String? = nil) {
        self.id = id
        self.name = name
        self.size = size
        self.lastModifiedDateTime = lastModifiedDateTime
        self.webUrl = webUrl
    }
}

extension GraphClient {
    /// The signed-in user's drive: always their own, whichever mailbox this client works in
    /// (a file for a shared mailbox's message goes to the sender's OneDrive, as in Outlook).
    var driveRoot: String { baseURL + "/me/drive" }

    /// `root:/a/b/name:` with every name escaped.
    static func drivePath(_ components: [String]) -> String {
        "root:/" + components.map(escapeSegment).joined(separator: "/") + ":"
    }

    /// `POST /me/drive/root:/{folder}/{name}:/createUploadSession` with the conflict behaviour
    /// and the size: a session on OneDrive's upload host.
    public func createDriveUploadSession(name: String, size: Int64, share: DriveShare) async throws -> UploadSession {
        struct Body: Encodable {
            struct Item: Encodable {
                var conflictBehavior: String
                var name: String
                var fileSize: Int64
                enum CodingKeys: String, CodingKey {
                    case conflictBehavior = "@microsoft.graph.conflictBehavior"
                    case name, fileSize
                }
            }
            var item: Item
        }
        let operation = "create a OneDrive upload session for \"\(name)\" in \(share.folder)"
        let url = driveRoot + "/" + Self.drivePath(share.folderComponents + [name]) + "/createUploadSession"
        let reply = try await send(
            .POST, url, authorization: .bearer, headers: Self.jsonHeaders,
            body: Self.jsonBody(Body(item: .init(conflictBehavior: share.conflictBehavior.rawValue, name: name, fileSize: size))),
            operation: operation)
        let session = try decode(SessionReply.self, from: reply, operation: operation)
        guard let uploadURL = session.uploadUrl else {
            throw GraphError(kind: .malformedReply, message: "no uploadUrl in the upload session", operation: operation)
        }
        return UploadSession(
            uploadURL: UploadURL(try Self.checkedUploadURL(uploadURL, operation: operation)),
            expirationDateTime: session.expirationDateTime,
            nextExpectedRanges: try Self.ranges(session.nextExpectedRanges ?? ["0-"], operation: operation))
    }

    /// The files in a drive folder (`[]` when the folder does not exist yet).
    public func driveChildren(of folder: [String]) async throws -> [DriveItem] {
        struct Page: Decodable { var value: [DriveItem] }
        let operation = "list the OneDrive folder \(folder.joined(separator: "/"))"
        let url = driveRoot + "/" + (folder.isEmpty ? "root" : Self.drivePath(folder)) + "/children?$select=id,name,size,lastModifiedDateTime,webUrl&$top=999"
        do {
            let reply = try await send(.GET, url, authorization: .bearer, headers: ["Accept": "application/json"], operation: operation)
            return try decode(Page.self, from: reply, operation: operation).value
        } catch let error as GraphError where error.status == 404 {
            return []
        }
    }

    /// Looks in the share's folder for the file an upload made whose final reply was lost.
    /// OneDrive may have renamed it: a candidate is named like it (``DriveShare/mayBe(_:renamedFrom:)``),
    /// is exactly its size, and was not there before (by id, or by Graph's time).
    public func findSharedFile(_ search: AttachmentSearch, size: Int64, in share: DriveShare) async throws -> AttachmentInfo? {
        var search = search
        if search.createdSince == nil, let startedAt = search.startedAt {
            search.createdSince = serverClock.earliestServerTime(at: startedAt)
        }
        let name = search.name
        return try await driveChildren(of: share.folderComponents)
            .filter { DriveShare.mayBe($0.name ?? "", renamedFrom: name) && $0.size == size }
            .map { AttachmentInfo(id: $0.id, name: name, size: $0.size, lastModifiedDateTime: $0.lastModifiedDateTime) }
            .filter(search.admits)
            .max { $0.modified < $1.modified }
    }

    /// `DELETE /me/drive/items/{id}`: OneDrive keeps it in its recycle bin.
    public func deleteDriveItem(_ id: String) async throws {
        _ = try await send(.DELETE, driveRoot + "/items/" + Self.escapeSegment(id), authorization: .bearer, operation: "delete the OneDrive file \(id)")
    }

    /// The SHA-256 of a drive item's bytes, read back: from the pre-authenticated
    /// `@microsoft.graph.downloadUrl` its metadata gives (no bearer token goes there; the
    /// `content` endpoint only redirects to it), streamed, never past its size.
    public func driveItemSHA256(_ id: String) async throws -> String {
        struct Item: Decodable {
            var size: Int64?
            var downloadUrl: String?
            enum CodingKeys: String, CodingKey {
                case size
                case downloadUrl = "@microsoft.graph.downloadUrl"
            }
        }
        let operation = "read back the OneDrive file \(id)"
        let reply = try await send(.GET, driveRoot + "/items/" + Self.escapeSegment(id), authorization: .bearer, headers: ["Accept": "application/json"], operation: operation)
        let item = try decode(Item.self, from: reply, operation: operation)
        guard let url = item.downloadUrl, let size = item.size, (0...DriveShare.maximumFileSize).contains(size) else {
            throw GraphError(kind: .malformedReply, message: "the file's metadata has no download URL or size", operation: operation)
        }
        let checked = try Self.checkedUploadURL(url, operation: operation)
        return try await download(checked, into: nil, limit: size, stated: true, operation: operation, authorization: .preAuthenticated, progress: nil).sha256
    }

    /// `POST /me/drive/items/{id}/createLink`: the item's link of that type and scope (made,
    /// or the one it had).
    public func createSharingLink(for item: DriveItem, share: DriveShare) async throws -> SharedLink {
        struct Body: Encodable {
            var type: String
            var scope: String
        }
        struct Permission: Decodable {
            struct Link: Decodable { var webUrl: String? }
            var link: Link?
        }
        let operation = "share the OneDrive file \"\(item.name ?? item.id)\" as a link (\(share.linkType.rawValue), \(share.linkScope.rawValue))"
        let reply: Reply
        do {
            reply = try await send(
                .POST, driveRoot + "/items/" + Self.escapeSegment(item.id) + "/createLink", authorization: .bearer, headers: Self.jsonHeaders,
                body: Self.jsonBody(Body(type: share.linkType.rawValue, scope: share.linkScope.rawValue)), operation: operation)
        } catch var error as GraphError where error.status == 403 && share.linkScope == .anonymous {
            error.knownIssue = "the organization's admins turned off links for anyone: use --link-scope organization (or link_scope in the config)"
            throw error
        }
        let permission = try decode(Permission.self, from: reply, operation: operation)
        guard let webURL = permission.link?.webUrl, let parsed = try? HTTPURL(validating: webURL), parsed.scheme == "https" || parsed.isLoopback else {
            throw GraphError(kind: .malformedReply, message: "the sharing link has no https webUrl", operation: operation)
        }
        return SharedLink(webURL: webURL, type: share.linkType, scope: share.linkScope, driveItemID: item.id, driveItemName: item.name ?? "")
    }
}
