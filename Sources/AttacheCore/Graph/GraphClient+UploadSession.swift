import AsyncHTTPClient
import Foundation
import Logging
import NIOFoundationCompat
import NIOHTTP1
import NIOCore
import _NIOFileSystem

extension GraphClient {
    /// `POST …/attachments/createUploadSession` with the seed's body:
    /// `{"AttachmentItem": {"attachmentType": "file", "name": N, "size": S}}`; with
    /// `contentId`, also `"isInline": true, "contentId": C` (an inline image).
    public func createUploadSession(name: String, size: Int64, on item: ItemReference, contentId: String? = nil) async throws -> UploadSession {
        struct Body: Encodable {
            struct Item: Encodable {
                var attachmentType = "file"
                var name: String
                var size: Int64
                var isInline: Bool?
                var contentId: String?
            }
            var AttachmentItem: Item
        }
        let operation = "create an upload session for \"\(name)\" on \(item)"
        let reply: Reply
        do {
            reply = try await send(
                .POST, itemURL(item, "attachments", "createUploadSession"), authorization: .bearer,
                headers: Self.jsonHeaders, body: Self.jsonBody(Body(AttachmentItem: .init(name: name, size: size, isInline: contentId.map { _ in true }, contentId: contentId))),
                operation: operation)
        } catch var error as GraphError where error.status == 403 && isOtherMailbox {
            error.knownIssue =
                "Graph refuses upload sessions in another user's mailbox (\(mailboxAddress ?? mailbox)) with delegated permissions, a known issue: files too large for one request (about 3 MB) cannot be attached there, smaller ones go in one"
            error.sessionRefusedInSharedMailbox = true
            throw error
        }
        let session = try decode(SessionReply.self, from: reply, operation: operation)
        guard let url = session.uploadUrl else {
            throw GraphError(kind: .malformedReply, message: "no uploadUrl in the upload session", operation: operation)
        }
        return UploadSession(
            uploadURL: UploadURL(try Self.checkedUploadURL(url, operation: operation)),
            expirationDateTime: session.expirationDateTime,
            nextExpectedRanges: try Self.ranges(session.nextExpectedRanges ?? ["0-"], operation: operation))
    }

    /// An `uploadUrl` attache will send a file to: one it can parse, over https (plain http
    /// only to this machine: the file and the URL's own token would cross the network in the clear).
    static func checkedUploadURL(_ url: String, operation: String) throws -> String {
        let parsed: HTTPURL
        do {
            parsed = try HTTPURL(validating: url)
        } catch {
            throw GraphError(kind: .malformedReply, message: "the uploadUrl is one attache cannot use (\(error))", operation: operation)
        }
        guard parsed.scheme == "https" || parsed.isLoopback else {
            throw GraphError(
                kind: .malformedReply,
                message: "the uploadUrl is plain http:// to \(parsed.host.terminalSafe); attache sends files only over https (plain http only to this machine)",
                operation: operation)
        }
        return url
    }

    /// `PUT` one range of the open file to the upload URL, streamed from disk in 64 KiB
    /// pieces. `onChunk` hears of each piece as it is handed to the connection. A file
    /// that ends before the range does fails the request rather than send a short body.
    public func putRange(
        _ range: Range<Int64>,
        of file: ReadFileHandle,
        totalSize: Int64,
        to uploadURL: UploadURL,
        fileName: String,
        toDrive: Bool = false,
        onChunk: @escaping @Sendable (ByteBuffer) -> Void = { _ in }
    ) async throws -> RangeReply {
        let operation = "upload bytes \(range.lowerBound)-\(range.upperBound - 1) of \"\(fileName)\""
        var headers: HTTPHeaders = [
            "Content-Type": "application/octet-stream",
            "Content-Range": "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(totalSize)",
        ]
        headers.add(name: "Content-Length", value: "\(range.count)")
        let requestHeaders = headers
        let watch = StallWatch(limit: stallTimeout, clock: clock)
        let chunks = CountingChunks(
            base: file.readChunks(in: range, chunkLength: .kibibytes(64)), length: Int64(range.count),
            onChunk: { chunk in
                watch.moved()
                onChunk(chunk)
            },
            onEnd: { watch.sentAll() })
        let reply = try await withThrowingTaskGroup(of: Result<Reply, StallWatch.Stall>.self) { group in
            group.addTask {
                // No deadline on the whole range: on a slow link it may take many minutes.
                // The watch bounds the wait for its reply's head; the reply's body, once
                // that came, has the request timeout.
                .success(
                    try await send(
                        .PUT, uploadURL.secretValue, authorization: .preAuthenticated, headers: requestHeaders,
                        body: .stream(chunks, length: .known(Int64(range.count))), operation: operation, timeout: .hours(24),
                        onHead: { watch.headArrived() }))
            }
            group.addTask { .failure(try await watch.waitForStall()) }
            defer { group.cancelAll() }
            switch try await group.next() {
            case .success(let reply): return reply
            case .failure(.bodyStalled), nil:
                throw GraphError(
                    kind: .noReply, message: "no bytes moved for \(TransferFormat.clock(stallTimeout.seconds))", operation: operation,
                    isUploadSession: true, host: Self.host(of: uploadURL.secretValue))
            case .failure(.noReply):
                throw GraphError(
                    kind: .noReply, message: "the range was sent, and no reply began within \(TransferFormat.clock(stallTimeout.seconds))",
                    operation: operation, isUploadSession: true, host: Self.host(of: uploadURL.secretValue))
            }
        }
        if toDrive {
            // OneDrive: 202 while incomplete; the last fragment's 200 or 201 carries the driveItem.
            guard reply.status == 200 || reply.status == 201 else { return .accepted(try sessionStatus(from: reply, operation: operation)) }
            let item = try? decode(DriveItem.self, from: reply, operation: operation)
            return .completed(attachmentID: item.map(\.id).flatMap { $0.isEmpty ? nil : $0 })
        }
        if reply.status == 201 {
            return .completed(attachmentID: reply.headers.first(name: "Location").flatMap(AttachmentLocation.attachmentID(from:)))
        }
        return .accepted(try sessionStatus(from: reply, operation: operation))
    }

    /// `GET` the upload URL: which bytes the session still expects.
    public func sessionStatus(_ uploadURL: UploadURL, fileName: String) async throws -> UploadSessionStatus {
        let operation = "ask the upload session of \"\(fileName)\" where it stands"
        let reply = try await send(.GET, uploadURL.secretValue, authorization: .preAuthenticated, headers: ["Accept": "application/json"], operation: operation)
        return try sessionStatus(from: reply, operation: operation)
    }

    /// `DELETE` the upload URL: cancels the session and drops what it holds (204).
    public func deleteSession(_ uploadURL: UploadURL, fileName: String) async throws {
        let operation = "cancel the upload session of \"\(fileName)\""
        _ = try await send(.DELETE, uploadURL.secretValue, authorization: .preAuthenticated, operation: operation)
    }

    func sessionStatus(from reply: Reply, operation: String) throws -> UploadSessionStatus {
        let session = try decode(SessionReply.self, from: reply, operation: operation)
        guard let entries = session.nextExpectedRanges else {
            throw GraphError(kind: .malformedReply, message: "no NextExpectedRanges in the reply", operation: operation)
        }
        return UploadSessionStatus(expirationDateTime: session.expirationDateTime, nextExpectedRanges: try Self.ranges(entries, operation: operation))
    }

    static func ranges(_ entries: [String], operation: String) throws -> ExpectedRanges {
        do {
            return try ExpectedRanges(parsing: entries)
        } catch {
            throw GraphError(kind: .malformedReply, message: error.description, operation: operation)
        }
    }
}

/// The file ended before the range did: it shrank while it was uploaded.
public struct SourceEndedEarly: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String { "the file ended before the range did" }
}

/// File chunks on their way into a request body, seen as they go.
struct CountingChunks<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    /// The bytes the body must have; fewer fails it.
    let length: Int64
    let onChunk: @Sendable (ByteBuffer) -> Void
    /// Called once the whole body has been handed over.
    var onEnd: @Sendable () -> Void = {}

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let length: Int64
        var seen: Int64 = 0
        let onChunk: @Sendable (ByteBuffer) -> Void
        let onEnd: @Sendable () -> Void

        var ended = false

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else {
                if seen < length { throw SourceEndedEarly() }
                end()
                return nil
            }
            seen += Int64(chunk.readableBytes)
            onChunk(chunk)
            // With its length known, the HTTP client stops asking once it has that many
            // bytes: the body ends with its last chunk, not with a `nil` it never asks for.
            if seen >= length { end() }
            return chunk
        }

        private mutating func end() {
            guard !ended else { return }
            ended = true
            onEnd()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), length: length, onChunk: onChunk, onEnd: onEnd)
    }
}

extension GraphClient {
    /// Opens a connection to an upload host while `createUploadSession` is on its way, so
    /// that the first range does not wait for one (and, on real Graph, for its TLS): a `HEAD`
    /// of the origin's root, with no credentials, whose answer is read and ignored. The
    /// connection then waits in the client's pool for the first `PUT` to the same origin.
    ///
    /// Only an origin attache would send a file to (https, or plain http to this machine);
    /// never through the mailbox's gate, since it is no request to the mailbox.
    public func warmUp(uploadOrigin origin: String) async {
        guard let parsed = try? HTTPURL(validating: origin + "/"), parsed.scheme == "https" || parsed.isLoopback else { return }
        var request = HTTPClientRequest(url: origin + "/")
        request.method = .HEAD
        request.headers.replaceOrAdd(name: "User-Agent", value: "attache/\(AttacheVersion.current)")
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            // Read to its end, so the connection goes back to the pool.
            for try await _ in response.body {}
        } catch {
            logger.debug("the upload host could not be reached ahead of the session", metadata: ["origin": "\(origin)"])
        }
    }
}
