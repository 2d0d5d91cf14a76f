import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import _NIOFileSystem

extension GraphResponder {
    /// `GET …/attachments`: every attachment; `contentBytes` too unless `$select` leaves it out.
    func listAttachments(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, itemID: String, query: ODataQuery, grant: Grant) async throws -> Response {
        let (owner, item) = try await item(mailbox, kind, itemID, grant: grant, write: false)
        var values: [JSONValue] = []
        for row in try await store.attachments(itemID: item.id) {
            let wantsBytes = query.select.map { $0.contains { $0.lowercased() == "contentbytes" } } ?? true
            let bytes = wantsBytes ? try await base64Contents(of: row) : nil
            values.append(AttachmentRendering.json(row, contentBytes: bytes).selecting(query.select))
        }
        let context = "\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.qualifiedID))')/\(kind.collection)('\(Self.escapeKey(item.id))')/attachments"
        return json(.object([("@odata.context", .string(context)), ("value", .array(values))]))
    }

    /// `GET …/attachments/{id}`, honouring `$select` (the seed's metadata request).
    func getAttachment(
        _ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, itemID: String, attachmentID: String, query: ODataQuery, grant: Grant
    ) async throws -> Response {
        let (owner, item) = try await item(mailbox, kind, itemID, grant: grant, write: false)
        guard let row = try await store.attachment(id: attachmentID, itemID: item.id) else { throw GraphErrorResponse.notFound() }
        let wantsBytes = query.select.map { $0.contains { $0.lowercased() == "contentbytes" } } ?? true
        let body = AttachmentRendering.json(row, contentBytes: wantsBytes ? try await base64Contents(of: row) : nil).selecting(query.select)
        let context = "\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.qualifiedID))')/\(kind.collection)('\(Self.escapeKey(item.id))')/attachments/$entity"
        return json(prependingContext(context, to: body))
    }

    /// `GET …/attachments/{id}/$value`: the raw bytes, streamed from disk, with the attachment's type.
    func attachmentValue(mailbox: GraphRoute.Mailbox, kind: ItemKind, itemID: String, attachmentID: String, grant: Grant, context: Context) async throws -> Response {
        let (_, item) = try await item(mailbox, kind, itemID, grant: grant, write: false)
        guard let row = try await store.attachment(id: attachmentID, itemID: item.id) else { throw GraphErrorResponse.notFound() }
        var body = row.size == 0 ? ResponseBody() : try await FileIO().loadFile(path: store.blobPath(row.blobName), context: context)
        if configuration.faults.contains(.corruptValue), row.size > 0 {
            // Test-only, and small files only: the whole blob in memory, its last byte flipped.
            var bytes = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(store.blobPath(row.blobName))) { handle in
                try await handle.readToEnd(maximumSizeAllowed: .bytes(row.size))
            }
            let last = bytes.writerIndex - 1
            bytes.setInteger(bytes.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
            body = ResponseBody(byteBuffer: bytes)
        }
        var headers: HTTPFields = [.contentType: row.contentType]
        headers[.contentLength] = String(row.size)
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `DELETE …/attachments/{id}` → 204.
    func deleteAttachment(mailbox: GraphRoute.Mailbox, kind: ItemKind, itemID: String, attachmentID: String, grant: Grant) async throws -> Response {
        let (_, item) = try await item(mailbox, kind, itemID, grant: grant, write: true)
        guard let row = try await store.attachment(id: attachmentID, itemID: item.id) else { throw GraphErrorResponse.notFound() }
        try await store.deleteAttachment(row)
        return Response(status: .noContent)
    }

    /// `POST …/attachments` with a `#microsoft.graph.fileAttachment`: the whole file in
    /// base64 `contentBytes`. A body over Graph's request limit (4 MiB, base64 and JSON
    /// counted) gets 413 whatever the file's size, as on Graph; nothing else limits the file.
    func postAttachment(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, itemID: String, grant: Grant) async throws -> Response {
        stats.update { $0.postAttachmentRequests += 1 }
        let (owner, item) = try await item(mailbox, kind, itemID, grant: grant, write: true)
        // Graph's body for this 413 is not documented (msgraph-sdk-java #52 quotes only the
        // status line): the message names no limit and gives no advice Graph would not.
        let tooLarge = GraphErrorResponse(.contentTooLarge, "ErrorRequestEntityTooLarge", "The request entity is too large.")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maximumRequestBody {
            throw tooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maximumRequestBody)
        } catch {
            throw tooLarge
        }
        guard let body = JSONValue.parse(Data(buffer.readableBytesView)), case .object = body else {
            throw GraphErrorResponse.badRequest("The request body is not a JSON object.")
        }
        guard let type = body.value(forKeyIgnoringCase: "@odata.type")?.stringValue else {
            throw GraphErrorResponse.badRequest("The attachment has no @odata.type; expected #microsoft.graph.fileAttachment.")
        }
        guard type.lowercased() == "#microsoft.graph.fileattachment" else {
            throw GraphErrorResponse.badRequest("The emulator takes file attachments only (#microsoft.graph.fileAttachment), not \(type).")
        }
        guard let name = body.value(forKeyIgnoringCase: "name")?.stringValue, !name.isEmpty else {
            throw GraphErrorResponse.badRequest("The attachment has no name.")
        }
        guard let base64 = body.value(forKeyIgnoringCase: "contentBytes")?.stringValue else {
            throw GraphErrorResponse.badRequest("The attachment has no contentBytes.")
        }
        guard let contents = Data(base64Encoded: base64) else {
            throw GraphErrorResponse.badRequest("The contentBytes of the attachment are not valid base64.")
        }
        try await checkMessageSize(of: item, adding: Int64(contents.count))
        let row = AttachmentRow(
            id: EmulatorIDs.attachment(), itemID: item.id, name: name,
            contentType: ContentSniffer.contentType(
                declared: body.value(forKeyIgnoringCase: "contentType")?.stringValue, name: name, head: Array(contents.prefix(16))),
            size: Int64(contents.count), isInline: body.value(forKeyIgnoringCase: "isInline")?.boolValue ?? false,
            modifiedAt: Date(), blobName: EmulatorIDs.randomHex(bytes: 16),
            contentId: body.value(forKeyIgnoringCase: "contentId")?.stringValue)
        guard FileManager.default.createFile(atPath: store.blobPath(row.blobName), contents: contents, attributes: [.posixPermissions: 0o600]) else {
            throw GraphErrorResponse(.init(code: 507, reasonPhrase: "Insufficient Storage"), "ErrorInsufficientResources", "The emulator could not store the attachment.")
        }
        try await store.insert(attachment: row)
        let origin = origin(of: request)
        let context = "\(origin)/v1.0/$metadata#users('\(Self.escapeKey(owner.qualifiedID))')/\(kind.collection)('\(Self.escapeKey(item.id))')/attachments/$entity"
        var headers = HTTPFields()
        headers[.location] = "\(origin)/v1.0/users('\(owner.qualifiedID)')/\(kind.collection)('\(item.id)')/attachments('\(row.id)')"
        return json(prependingContext(context, to: AttachmentRendering.json(row, contentBytes: base64)), status: .created, headers: headers)
    }

    func base64Contents(of row: AttachmentRow) async throws -> String {
        guard row.size > 0 else { return "" }
        let buffer = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(store.blobPath(row.blobName))) { handle in
            try await handle.readToEnd(maximumSizeAllowed: .bytes(row.size + 1))
        }
        return Data(buffer.readableBytesView).base64EncodedString()
    }
}
