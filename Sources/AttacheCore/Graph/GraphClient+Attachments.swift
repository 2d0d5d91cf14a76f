import AsyncHTTPClient
import Foundation
import NIOFoundationCompat
import NIOHTTP1
import Crypto
import NIOCore

extension GraphClient {
    /// The attachments of an item, metadata only (`$select`, never `contentBytes`).
    public func attachments(of item: ItemReference) async throws -> [AttachmentInfo] {
        try await pages(
            from: itemURL(item, "attachments") + "?$select=id," + AttachmentInfo.metadataSelect.joined(separator: ","),
            operation: "list the attachments of \(item)")
    }

    /// One attachment's metadata: `GET …/attachments/{id}?$select=lastModifiedDateTime,name,contentType,size,isInline`.
    public func attachment(_ attachmentID: String, of item: ItemReference) async throws -> AttachmentInfo {
        let operation = "read attachment \(ItemReference.abbreviate(attachmentID)) of \(item)"
        let url = itemURL(item, "attachments", Self.escapeSegment(attachmentID)) + "?$select=" + AttachmentInfo.metadataSelect.joined(separator: ",")
        let reply = try await send(.GET, url, authorization: .bearer, headers: Self.jsonHeaders, operation: operation)
        var info = try decode(AttachmentInfo.self, from: reply, operation: operation)
        if info.id.isEmpty { info.id = attachmentID }
        return info
    }

    /// Streams `…/attachments/{id}/$value` to `destination` and returns the byte count and
    /// SHA-256 of what was written; memory stays one chunk. Pass `nil` to only count and hash.
    ///
    /// The destination is opened before the request, so a place that cannot be written to
    /// costs no download; a file is replaced only once every byte is in (see ``DownloadSink``).
    /// The server decides how many bytes come: more than `maximumBytes` (the attachment's
    /// metadata `size`, which is never less than its bytes), or a body encoded in a way
    /// attache did not ask for (`Content-Encoding: gzip`), fails the download and saves nothing.
    ///
    /// - Parameters:
    ///   - maximumBytes: the most bytes the attachment can have, from its metadata; `nil`
    ///     for ``maximumDownload``.
    ///   - progress: called with the bytes received so far, as each chunk arrives.
    /// - Throws: ``GraphError`` for the request, ``DownloadError`` for the destination,
    ///   `CancellationError` when the task is cancelled; a file that was there is then left as it was.
    public func downloadAttachment(
        _ attachmentID: String, of item: ItemReference, to destination: DownloadDestination?, maximumBytes: Int64? = nil,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> (bytes: Int64, sha256: String, contentType: String?) {
        let operation = "download attachment \(ItemReference.abbreviate(attachmentID)) of \(item)"
        let url = itemURL(item, "attachments", Self.escapeSegment(attachmentID), "$value")
        var sink: DownloadSink?
        if let destination { sink = try await DownloadSink.open(destination, operation: operation) }
        do {
            // The place is held until the last byte is in: the request runs until then.
            // A size below zero is no size, and none is above the ceiling.
            let stated = maximumBytes.flatMap { (0...Self.maximumDownload).contains($0) ? $0 : nil }
            return try await gate.withPlace { [sink] in
                try await download(
                    url, into: sink, limit: stated ?? Self.maximumDownload, stated: stated != nil, operation: operation, progress: progress)
            }
        } catch {
            sink?.discard()
            throw error
        }
    }

    /// The most bytes any download may bring: Outlook keeps no item over 150 MB, so a
    /// gibibyte is a server that does not stop.
    public static let maximumDownload: Int64 = 1 << 30

    /// Streams `url` (with the bearer token, or none for a pre-authenticated URL) into
    /// `sink`, hashing as it goes, never past `limit` bytes.
    func download(
        _ url: String, into sink: DownloadSink?, limit: Int64, stated: Bool, operation: String, authorization: Authorization = .bearer,
        progress: (@Sendable (Int64) -> Void)?
    ) async throws -> (bytes: Int64, sha256: String, contentType: String?) {
        // The bytes as they are: an encoded body would be saved encoded.
        let exchange = try await exchange(
            .GET, url, authorization: authorization, headers: ["Accept-Encoding": "identity"], operation: operation, timeout: .seconds(600))
        let response = exchange.response
        guard (200..<300).contains(Int(response.status.code)) else {
            let body = await Self.collectErrorBody(response.body, within: requestTimeout.duration)
            var error = Self.errorFromReply(
                .init(status: Int(response.status.code), headers: response.headers, body: body), operation: operation, secrets: exchange.secrets)
            // A pre-authenticated URL's refusal says nothing of the sign-in's token.
            if authorization == .preAuthenticated { error.isUploadSession = true }
            throw error
        }
        if let encoding = response.headers.first(name: "Content-Encoding"), encoding.lowercased() != "identity" {
            throw GraphError(
                kind: .malformedReply, message: "the bytes came encoded (Content-Encoding: \(encoding)), which attache did not ask for",
                operation: operation)
        }
        let tooMany = GraphError(
            kind: .malformedReply,
            message: stated
                ? "the server sent more than the \(limit) bytes the attachment's size says it has"
                : "the server sent more than \(ByteCount(limit)), more than any attachment",
            operation: operation)
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int64.init), declared > limit { throw tooMany }
        var hasher = SHA256()
        var count: Int64 = 0
        do {
            for try await chunk in response.body {
                try Task.checkCancellation()
                // Checked before the bytes go anywhere: none past the limit is written.
                guard Int64(chunk.readableBytes) <= limit - count else { throw tooMany }
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                try await sink?.write(chunk)
                count += Int64(chunk.readableBytes)
                progress?(count)
            }
        } catch let error as DownloadError {
            throw error
        } catch let error as GraphError {
            throw error
        } catch {
            throw Self.transportError(error, operation: operation)
        }
        try await sink?.commit()
        return (count, hasher.finalize().hexString, response.headers.first(name: "Content-Type"))
    }

    /// Removes an attachment from its item.
    public func deleteAttachment(_ attachmentID: String, of item: ItemReference) async throws {
        let operation = "delete attachment \(ItemReference.abbreviate(attachmentID)) of \(item)"
        _ = try await send(.DELETE, itemURL(item, "attachments", Self.escapeSegment(attachmentID)), authorization: .bearer, operation: operation)
    }

    /// Attaches a small file in one request: `POST …/attachments` with a
    /// `#microsoft.graph.fileAttachment` whose `contentBytes` are the file in base64.
    /// With `contentId`, the attachment is inline (`isInline`), named by that id.
    public func postAttachment(name: String, contentType: String, contents: ByteBuffer, to item: ItemReference, contentId: String? = nil) async throws -> AttachmentInfo {
        let operation = "attach \"\(name)\" to \(item)"
        let body = AttachmentPostBody(name: name, contentType: contentType, contentId: contentId).encode(contents)
        let reply = try await send(
            .POST, itemURL(item, "attachments"), authorization: .bearer, headers: Self.jsonHeaders,
            body: .bytes(body), operation: operation)
        return try decode(AttachmentInfo.self, from: reply, operation: operation)
    }

    /// Looks for the attachment an upload made whose reply was lost (see ``AttachmentSearch``).
    /// Newest first; with a digest, the first candidate whose `$value` hashes the same.
    public func findAttachment(_ search: AttachmentSearch, on item: ItemReference) async throws -> AttachmentInfo? {
        let listed = try await attachments(of: item)
        var search = search
        if search.createdSince == nil, let startedAt = search.startedAt {
            search.createdSince = serverClock.earliestServerTime(at: startedAt)
        }
        let candidates = listed
            .filter(search.admits)
            .sorted { $0.modified > $1.modified }
        guard let sha256 = search.sha256 else { return candidates.first }
        // A few at most: each is read whole (a single POST's file, a few MiB).
        for candidate in candidates.prefix(3) where try await downloadAttachment(candidate.id, of: item, to: nil).sha256 == sha256 {
            return candidate
        }
        return nil
    }

    /// The ids of the item's attachments named `name`: those an upload of that name must
    /// never take for its own.
    public func attachmentIDs(named name: String, on item: ItemReference) async throws -> Set<String> {
        Set(try await attachments(of: item).filter { $0.name == name }.map(\.id))
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, as `sha256sum` prints it.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
