import Clocks
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import _NIOFileSystem

extension GraphResponder {
    /// Graph's measured minimum (msgraph-sdk-java #52): 2 MiB, not the 3 MB its docs advise.
    static let minimumSessionSize: Int64 = 2 * 1024 * 1024
    static let maximumSessionSize: Int64 = 150 * 1024 * 1024

    /// `POST …/attachments/createUploadSession` with `{"AttachmentItem": {"attachmentType": "file", "name": N, "size": S}}`
    /// (keys in any case) → 201 with `uploadUrl`, `expirationDateTime`, `nextExpectedRanges: ["0-"]`.
    func createUploadSession(_ request: Request, mailbox: GraphRoute.Mailbox, kind: ItemKind, itemID: String, grant: Grant) async throws -> Response {
        stats.update { $0.createSessionRequests += 1 }
        let (owner, item) = try await item(mailbox, kind, itemID, grant: grant, write: true)
        guard owner.id == grant.user.id else {
            // Graph's known issue: with delegated permissions, upload sessions are refused in a
            // shared or delegated mailbox (a POST of a small file works there).
            throw GraphErrorResponse(.forbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        }
        let body = try await readJSON(request)
        guard let attachment = body.value(forKeyIgnoringCase: "AttachmentItem"), case .object = attachment else {
            throw GraphErrorResponse.badRequest("The request has no AttachmentItem.")
        }
        guard let type = attachment.value(forKeyIgnoringCase: "attachmentType")?.stringValue else {
            throw GraphErrorResponse.badRequest("The AttachmentItem has no attachmentType; an upload session takes \"attachmentType\": \"file\".")
        }
        guard type.lowercased() == "file" else {
            // Graph's answer to `item` (microsoft-graph-docs-contrib #710), a 405.
            throw GraphErrorResponse(
                .methodNotAllowed, "ErrorAttachmentSessionIsSupportedOnlyForFileAttachments",
                "Unsupported Attachment type specified. Only File attachments can be uploaded using an Upload Session.")
        }
        guard let name = attachment.value(forKeyIgnoringCase: "name")?.stringValue, !name.isEmpty else {
            throw GraphErrorResponse.badRequest("The AttachmentItem has no name.")
        }
        guard let size = attachment.value(forKeyIgnoringCase: "size")?.intValue, size >= 0 else {
            throw GraphErrorResponse.badRequest("The AttachmentItem has no size.")
        }
        guard size >= Self.minimumSessionSize else {
            throw GraphErrorResponse(
                .badRequest, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                "Attachment size must be greater than the minimum size.")
        }
        guard size <= Self.maximumSessionSize else {
            throw GraphErrorResponse(
                .badRequest, "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize",
                "Attachment size must not be greater than the maximum size of 150 MB.")
        }
        let token = EmulatorIDs.authToken()
        let now = configuration.clock.date
        let session = SessionRow(
            id: EmulatorIDs.session(), itemID: item.id, ownerID: owner.id, kind: kind.rawValue, name: name,
            contentType: attachment.value(forKeyIgnoringCase: "contentType")?.stringValue,
            isInline: attachment.value(forKeyIgnoringCase: "isInline")?.boolValue ?? false, size: size,
            tokenHash: Self.sha256Hex(token), createdAt: now,
            expiresAt: GraphTimestamp.storable(now.addingTimeInterval(configuration.sessionLifetime.timeInterval)), received: 0,
            contentId: attachment.value(forKeyIgnoringCase: "contentId")?.stringValue)
        try await store.insert(session: session)
        if configuration.sessionReplyDelay > .zero {
            // Made, and kept even if the client leaves: as on a server that is slow to answer.
            try? await Task.sleep(for: configuration.sessionReplyDelay)
        }
        let origin = origin(of: request)
        let handedOut = configuration.faults.contains(.wrongUploadToken) ? EmulatorIDs.authToken() : token
        let uploadURL = "\(uploadOrigin(of: request))/api/v2.0/Users('\(owner.qualifiedID)')/\(kind.pascalCollection)('\(item.id)')/AttachmentSessions('\(session.id)')?authtoken=\(handedOut)"
        return json(
            .object([
                ("@odata.context", .string("\(origin)/v1.0/$metadata#microsoft.graph.uploadSession")),
                ("uploadUrl", .string(uploadURL)),
                ("expirationDateTime", .string(GraphTimestamp.ticks(session.expiresAt))),
                ("nextExpectedRanges", .array([.string("0-")])),
            ]), status: .created)
    }

    /// The upload URL: `PUT` a range, `GET` the state, `DELETE` the session. Pre-authenticated
    /// by `authtoken`; a bearer token is refused, never taken in its place.
    func uploadSession(
        _ request: Request, user: String, kind: ItemKind, itemID: String, sessionID: String, query: ODataQuery, context: Context
    ) async throws -> Response {
        if request.headers[.authorization] != nil {
            stats.update { $0.bearerOnUploadURL += 1 }
            throw GraphErrorResponse(
                .unauthorized, "InvalidAuthenticationToken",
                "The upload URL is pre-authenticated; requests to it must not carry an Authorization header.")
        }
        guard let token = query.parameters["authtoken"], !token.isEmpty else {
            throw GraphErrorResponse(.unauthorized, "InvalidAuthenticationToken", "The upload URL has no authtoken.")
        }
        return try await locks.withLock(sessionID) {
            guard let session = try await store.session(id: sessionID),
                session.itemID == itemID, session.itemKind == kind,
                let owner = try await store.user(matching: user), owner.id == session.ownerID
            else {
                throw GraphErrorResponse.notFound("The upload session does not exist; it may have expired, completed or been cancelled.")
            }
            guard Self.constantTimeEqual(Self.sha256Hex(token), session.tokenHash) else { throw Self.refusedToken }
            guard session.expiresAt > configuration.clock.date else {
                try await store.deleteSession(id: session.id)
                throw GraphErrorResponse.notFound("The upload session has expired.")
            }
            switch request.method {
            case .put:
                return try await putRange(request, session: session, owner: owner, fault: faultSchedule.draw(sessionHasBytes: session.received > 0))
            case .get:
                return sessionState(request, session: session, owner: owner, ranges: [Self.openRange(session)])
            case .delete:
                try await store.deleteSession(id: session.id)
                stats.update { $0.deletedSessions += 1 }
                return Response(status: .noContent)
            default:
                throw GraphErrorResponse(.methodNotAllowed, "ErrorInvalidRequest", "Use PUT, GET or DELETE on an upload URL.")
            }
        }
    }

    /// A wrong or revoked `authtoken`. What Outlook's upload host writes with its 401 is not
    /// documented (msgraph-sdk-javascript #1923 quotes only the status): Graph's shape here.
    static let refusedToken = GraphErrorResponse(.unauthorized, "InvalidAuthenticationToken", "The authtoken is not valid for this upload session.")

    /// Turns the session's URL away from now on: its token is replaced by one nobody holds.
    /// The session stays (and expires in time) but can no longer be reached.
    func revoke(_ session: SessionRow) async throws {
        try await store.setTokenHash(Self.sha256Hex(EmulatorIDs.authToken()), sessionID: session.id)
        stats.update { $0.revokedSessions += 1 }
    }

    /// `"n-m"`: what a `GET` reports as still expected.
    static func openRange(_ session: SessionRow) -> String {
        "\(session.received)-\(session.size - 1)"
    }

    /// The seed's 200 reply: PascalCase keys (camelCase with ``EmulatorConfiguration/RangeKeyCase/camel``),
    /// `NextExpectedRanges` as `["n"]` after a `PUT`.
    func sessionState(_ request: Request, session: SessionRow, owner: UserRow, ranges: [String]) -> Response {
        let context = "\(origin(of: request))/api/v2.0/$metadata#Users('\(Self.escapeKey(owner.qualifiedID))')/\(session.itemKind.pascalCollection)('\(Self.escapeKey(session.itemID))')/AttachmentSessions/$entity"
        let camel = configuration.rangeKeyCase == .camel
        return json(
            .object([
                ("@odata.context", .string(context)),
                (camel ? "expirationDateTime" : "ExpirationDateTime", .string(GraphTimestamp.ticks(session.expiresAt))),
                (camel ? "nextExpectedRanges" : "NextExpectedRanges", .array(ranges.map(JSONValue.string))),
            ]))
    }

    /// One ranged `PUT`: the headers must agree with each other and with the session, the
    /// range must start at the next expected byte and stay within 4 MiB; otherwise a 4xx and
    /// nothing changes. The body is written to disk as it arrives; a body cut short keeps
    /// what came, as Outlook may. A `fault` drawn for the request plays out once the checks
    /// have passed, so a refused range is refused the same with or without one.
    func putRange(_ request: Request, session: SessionRow, owner: UserRow, fault: FaultSchedule.Draw? = nil) async throws -> Response {
        stats.update { $0.putRequests += 1 }
        let reject = { (error: GraphErrorResponse) -> GraphErrorResponse in
            self.stats.update { $0.rejectedRanges += 1 }
            return error
        }
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("application/octet-stream") else {
            throw reject(
                GraphErrorResponse(.unsupportedMediaType, "ErrorInvalidContentType", "A range must be sent as Content-Type: application/octet-stream."))
        }
        guard let rangeHeader = request.headers[.contentRange], let range = ContentRange(parsing: rangeHeader) else {
            throw reject(.badRequest("The Content-Range header must read 'bytes {start}-{end}/{total}'.", code: "ErrorInvalidContentRange"))
        }
        guard let lengthHeader = request.headers[.contentLength], let length = Int64(lengthHeader) else {
            throw reject(GraphErrorResponse(.lengthRequired, "ErrorInvalidContentLength", "A range needs a Content-Length header."))
        }
        guard range.total == session.size else {
            throw reject(
                .badRequest(
                    "The total in Content-Range (\(range.total)) is not the size declared for the upload session (\(session.size)).",
                    code: "ErrorInvalidContentRange"))
        }
        guard range.end < range.total else {
            throw reject(.badRequest("The range \(range.start)-\(range.end) goes past the end of the file (\(range.total) bytes).", code: "ErrorInvalidContentRange"))
        }
        guard length == range.length else {
            throw reject(
                .badRequest(
                    "Content-Length (\(length)) does not match the \(range.length) bytes of Content-Range \(range.start)-\(range.end).",
                    code: "ErrorInvalidContentRange"))
        }
        guard length <= configuration.maximumRangeLength else {
            throw reject(
                GraphErrorResponse(
                    .contentTooLarge, "ErrorRequestEntityTooLarge",
                    "A range may carry at most \(configuration.maximumRangeLength) bytes; this one has \(length)."))
        }
        guard range.start == session.received else {
            throw reject(
                GraphErrorResponse(
                    .rangeNotSatisfiable, "ErrorInvalidRange",
                    "The range starts at byte \(range.start), but the session expects byte \(session.received) next."))
        }
        if configuration.maximumMessageSize != nil, let item = try await store.item(id: session.itemID, owner: owner.id, kind: session.itemKind) {
            // The range that would take the message past the tenant's limit is refused, and
            // the session stays as it was: Outlook fails an upload part-way, not at its start.
            do {
                try await checkMessageSize(of: item, adding: length, pending: session.received)
            } catch {
                for try await _ in request.body {}
                throw reject(error as? GraphErrorResponse ?? Self.messageSizeExceeded)
            }
        }

        var keep = length
        if let fault {
            switch fault.kind {
            case .unavailable, .throttled:
                for try await _ in request.body {}
                throw fault.kind == .unavailable
                    ? GraphErrorResponse(
                        .serviceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Try again later.",
                        retryAfter: fault.injection.retryAfterSeconds)
                    : GraphErrorResponse(
                        .tooManyRequests, "ApplicationThrottled", MailboxThrottle.Limit.concurrency.message,
                        retryAfter: fault.injection.retryAfterSeconds)
            case .expireSession:
                for try await _ in request.body {}
                try await store.deleteSession(id: session.id)
                throw GraphErrorResponse.notFound("The upload session has expired.")
            case .unauthorized:
                for try await _ in request.body {}
                try await revoke(session)
                throw Self.refusedToken
            case .slowReply:
                try await Task.sleep(for: fault.injection.slowReplyDelay)
            case .cutBody:
                keep = Int64(Double(length) * fault.fraction)
            case .dropReply:
                break
            }
        }
        if keep < length {
            // Keep the first `keep` bytes, as a server does when the link breaks there.
            let written = try await receive(request.body, into: store.partPath(sessionID: session.id), at: range.start, limit: keep, sessionID: session.id, stopAtLimit: true)
            stats.update { $0.putBytes += written }
            try await store.setReceived(range.start + written, sessionID: session.id)
            throw DroppedConnection()
        }
        let written = try await receive(request.body, into: store.partPath(sessionID: session.id), at: range.start, limit: length, sessionID: session.id)
        if configuration.rangeDelay > .zero { try await Task.sleep(for: configuration.rangeDelay) }
        stats.update { $0.putBytes += written }
        guard written == length else {
            try await store.setReceived(range.start + written, sessionID: session.id)
            throw reject(.badRequest("The body had \(written) bytes; Content-Length said \(length).", code: "ErrorInvalidContentRange"))
        }
        let received = range.start + written
        let reply: Response
        if received == session.size {
            reply = try await complete(request, session: session, owner: owner)
        } else {
            try await store.setReceived(received, sessionID: session.id)
            var advanced = session
            advanced.received = received
            reply = sessionState(request, session: advanced, owner: owner, ranges: ["\(received)"])
        }
        // The range is stored (and the attachment made, for the last one): only the reply is lost.
        if fault?.kind == .dropReply { throw DroppedConnection() }
        return reply
    }

    /// Writes the body at `offset` as it streams in; on a broken connection, keeps what came.
    /// With `stopAtLimit`, stops reading once `limit` bytes are in (a fault cuts the body there).
    private func receive(_ body: RequestBody, into path: String, at offset: Int64, limit: Int64, sessionID: String, stopAtLimit: Bool = false) async throws -> Int64 {
        var written: Int64 = 0
        do {
            try await FileSystem.shared.withFileHandle(forReadingAndWritingAt: FilePath(path), options: .modifyFile(createIfNecessary: true)) { handle in
                for try await chunk in body {
                    if stopAtLimit, written >= limit { break }
                    let usable = min(Int64(chunk.readableBytes), limit - written)
                    guard usable > 0 else { continue }
                    _ = try await handle.write(contentsOf: chunk.readableBytesView.prefix(Int(usable)), toAbsoluteOffset: offset + written)
                    written += usable
                }
            }
        } catch {
            // The client went away mid-body: what arrived stays, and the session says so.
            stats.update { $0.putBytes += written }
            try? await store.setReceived(offset + written, sessionID: sessionID)
            throw error
        }
        return written
    }

    /// The last byte is in: the session becomes an attachment, `201` with its `Location`.
    private func complete(_ request: Request, session: SessionRow, owner: UserRow) async throws -> Response {
        let partPath = store.partPath(sessionID: session.id)
        let head: [UInt8] = (try? await FileSystem.shared.withFileHandle(forReadingAt: FilePath(partPath)) { handle in
            Array(try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(16)).readableBytesView)
        }) ?? []
        let attachment = AttachmentRow(
            id: EmulatorIDs.attachment(), itemID: session.itemID, name: session.name,
            contentType: ContentSniffer.contentType(declared: session.contentType, name: session.name, head: head),
            size: session.size, isInline: session.isInline, modifiedAt: Date(), blobName: EmulatorIDs.randomHex(bytes: 16),
            contentId: session.contentId)
        try await store.complete(session: session, attachment: attachment)
        stats.update { $0.completedSessions += 1 }
        var headers = HTTPFields()
        headers[.location] = "\(origin(of: request))/api/v2.0/Users('\(owner.qualifiedID)')/\(session.itemKind.pascalCollection)('\(session.itemID)')/Attachments('\(attachment.id)')"
        headers[.contentLength] = "0"
        return Response(status: .created, headers: headers)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// `Content-Range: bytes {start}-{end}/{total}`.
struct ContentRange: Hashable, Sendable {
    var start: Int64
    var end: Int64
    var total: Int64

    var length: Int64 { end - start + 1 }

    init?(parsing header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count)
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2, let total = Int64(halves[1]) else { return nil }
        let bounds = halves[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start >= 0, end >= start else { return nil }
        self.start = start
        self.end = end
        self.total = total
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
