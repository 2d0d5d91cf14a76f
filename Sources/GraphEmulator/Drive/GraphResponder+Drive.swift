import Clocks
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import _NIOFileSystem

/// OneDrive, as Graph serves it (Microsoft Learn: driveitem-createuploadsession,
/// driveitem-createlink): resumable uploads with OneDrive's own rules, which are not
/// Outlook's, and sharing links. Errors carry OneDrive's camelCase codes.
extension GraphResponder {
    /// Every fragment but the last must be a multiple of this.
    static let driveFragmentGranularity: Int64 = 320 * 1024
    /// A fragment must be under this.
    static let maximumDriveFragment: Int64 = 60 * 1024 * 1024
    /// OneDrive's largest file: 250 GB.
    static let maximumDriveFile: Int64 = 250 * 1024 * 1024 * 1024

    static let driveWriteScopes: Set<String> = ["Files.ReadWrite", "Files.ReadWrite.All"]
    static let driveReadScopes: Set<String> = driveWriteScopes.union(["Files.Read", "Files.Read.All"])

    func dispatchDrive(_ route: DriveRoute, _ request: Request, context: Context) async throws -> Response {
        switch route {
        case .uploadSession(let id):
            guard listener == .upload else {
                throw GraphErrorResponse(.notFound, "itemNotFound", "Upload sessions are served by the host in their uploadUrl, not by Graph.")
            }
            return try await driveUpload(request, sessionID: id)
        case .download(let id):
            guard listener == .upload, request.method == .get else {
                throw GraphErrorResponse(.notFound, "itemNotFound", "Download URLs are served by the host in their URL, not by Graph.")
            }
            if request.headers[.authorization] != nil {
                throw GraphErrorResponse(.unauthorized, "unauthenticated", "The download URL is pre-authenticated; requests to it must not carry an Authorization header.")
            }
            let token = ODataQuery(rawQuery: request.uri.query).parameters["authtoken"] ?? ""
            guard let item = await drive.item(id: id), let expected = item.downloadToken, let path = item.blobPath,
                Self.constantTimeEqual(token, expected)
            else {
                throw GraphErrorResponse(.unauthorized, "unauthenticated", "The download URL is not valid.")
            }
            var headers = HTTPFields()
            headers[.contentType] = item.mimeType ?? "application/octet-stream"
            let body = item.size == 0 ? ResponseBody() : try await FileIO().loadFile(path: path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        default:
            break
        }
        guard listener == .graph else { throw GraphErrorResponse(.notFound, "ResourceNotFound", "The upload host serves upload URLs only.") }
        let grant = try authenticate(request)
        let write = request.method != .get
        guard !grant.scopes.isDisjoint(with: write ? Self.driveWriteScopes : Self.driveReadScopes) else {
            throw GraphErrorResponse(.forbidden, "accessDenied", "Access denied: the token has no Files.ReadWrite permission.")
        }
        let owner = grant.user.id
        switch (route, request.method) {
        case (.item(let reference), .get):
            return json(await driveItemJSON(try await resolve(reference, owner: owner), for: request))
        case (.item(let reference), .delete):
            let item = try await resolve(reference, owner: owner)
            guard item.parentID != nil else { throw GraphErrorResponse(.forbidden, "accessDenied", "The root of a drive cannot be deleted.") }
            await drive.delete(item.id)
            return Response(status: .noContent)
        case (.children(let reference), .get):
            let folder = try await resolve(reference, owner: owner)
            guard folder.isFolder else { throw GraphErrorResponse(.badRequest, "invalidRequest", "The item is not a folder.") }
            var values: [JSONValue] = []
            for child in await drive.children(of: folder.id).prefix(1000) { values.append(await driveItemJSON(child, for: request)) }
            return json(.object([("value", .array(values))]))
        case (.createUploadSession(let reference), .post):
            return try await createDriveSession(request, reference: reference, owner: owner)
        case (.createLink(let reference), .post):
            return try await createLink(request, reference: reference, owner: owner)
        case (.content(let reference), .get):
            // As on Graph: a redirect to the file's pre-authenticated download URL.
            let item = try await resolve(reference, owner: owner)
            guard !item.isFolder, let url = downloadURL(of: item, for: request) else { throw GraphErrorResponse(.badRequest, "invalidRequest", "A folder has no content.") }
            var headers = HTTPFields()
            headers[.location] = url
            return Response(status: .found, headers: headers)
        default:
            throw GraphErrorResponse(.methodNotAllowed, "invalidRequest", "The request is not supported on this drive resource.")
        }
    }

    /// The item a reference names, or OneDrive's 404.
    private func resolve(_ reference: DriveRoute.Reference, owner: String) async throws -> DriveStore.Item {
        guard let base = await drive.item(id: reference.itemID, ownerID: owner) else {
            throw GraphErrorResponse(.notFound, "itemNotFound", "The resource could not be found.")
        }
        let (found, missing) = await drive.walk(reference.path, from: base)
        guard missing.isEmpty else { throw GraphErrorResponse(.notFound, "itemNotFound", "The resource could not be found.") }
        return found
    }

    /// The driveItem as Graph writes it, its URLs named for `request` (Graph's own origin,
    /// also in a reply from the upload host).
    func driveItemJSON(_ item: DriveStore.Item, for request: Request) async -> JSONValue {
        let origin = graphOrigin(of: request)
        var pairs: [(String, JSONValue)] = [
            ("@odata.context", .string("\(origin)/v1.0/$metadata#driveItem")),
            ("id", .string(item.id)),
            ("name", .string(item.name)),
            ("size", .int(item.size)),
            ("createdDateTime", .string(GraphTimestamp.seconds(item.createdAt))),
            ("lastModifiedDateTime", .string(GraphTimestamp.seconds(item.modifiedAt))),
            ("webUrl", .string("\(origin)/personal/drive/Documents\(await drive.path(of: item).dropFirst("/drive/root:".count))")),
        ]
        if let parentID = item.parentID {
            let parentPath = await drive.path(ofItem: parentID)
            pairs.append(("parentReference", .object([("driveType", .string("business")), ("id", .string(parentID)), ("path", .string(parentPath))])))
        }
        if item.isFolder {
            pairs.append(("folder", .object([("childCount", .int(Int64(await drive.children(of: item.id).count)))])))
        } else {
            pairs.append(("file", .object([("mimeType", .string(item.mimeType ?? "application/octet-stream"))])))
            if let url = downloadURL(of: item, for: request) { pairs.append(("@microsoft.graph.downloadUrl", .string(url))) }
        }
        return .object(pairs)
    }

    /// A file's pre-authenticated download URL on the upload host.
    func downloadURL(of item: DriveStore.Item, for request: Request) -> String? {
        guard !item.isFolder, let token = item.downloadToken else { return nil }
        return "\(uploadOrigin(of: request))/down/\(item.id)?authtoken=\(token)"
    }

    /// Graph's origin for URLs in a reply, whichever listener answers.
    func graphOrigin(of request: Request) -> String {
        listener == .graph ? origin(of: request) : configuration.publicOrigin ?? origins.graph ?? origin(of: request)
    }

    // MARK: Upload sessions

    /// `POST …:/{path}:/createUploadSession` with `{"item": {"@microsoft.graph.conflictBehavior": …}}`
    /// → 200 with `uploadUrl`, `expirationDateTime`, `nextExpectedRanges`. The file's folder
    /// may not exist yet: it is made when the file is committed.
    private func createDriveSession(_ request: Request, reference: DriveRoute.Reference, owner: String) async throws -> Response {
        stats.update { $0.driveSessionRequests += 1 }
        guard let base = await drive.item(id: reference.itemID, ownerID: owner) else {
            throw GraphErrorResponse(.notFound, "itemNotFound", "The resource could not be found.")
        }
        guard let name = reference.path.last, !name.isEmpty else {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "An upload session needs the file's name in the path: …:/{filename}:/createUploadSession.")
        }
        try Self.checkDriveName(name)
        for folder in reference.path.dropLast() { try Self.checkDriveName(folder) }
        let body = request.headers[.contentLength] == "0" ? JSONValue.object([]) : try await readJSON(request)
        let item = body.value(forKeyIgnoringCase: "item")
        let behaviourText = item?.value(forKeyIgnoringCase: "@microsoft.graph.conflictBehavior")?.stringValue ?? "fail"
        guard let behaviour = DriveStore.ConflictBehavior(rawValue: behaviourText.lowercased()) else {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "Invalid conflict behavior '\(behaviourText)'; use fail, rename or replace.")
        }
        let declared = item?.value(forKeyIgnoringCase: "fileSize")?.intValue
        if let declared, declared < 0 || declared > Self.maximumDriveFile {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "The fileSize \(declared) is not one OneDrive can hold.")
        }
        let (parent, missing) = await drive.walk(Array(reference.path.dropLast()), from: base)
        guard parent.isFolder else { throw GraphErrorResponse(.badRequest, "invalidRequest", "'\(parent.name)' is a file, not a folder.") }
        if behaviour == .fail, missing.isEmpty, await drive.child(named: name, of: parent.id) != nil {
            throw GraphErrorResponse(.conflict, "nameAlreadyExists", "The specified item name already exists.")
        }
        if let declared, await drive.usedBytes(of: owner) + declared > configuration.driveQuota {
            throw GraphErrorResponse(.init(code: 507), "quotaLimitReached", "Insufficient Space Available.")
        }
        let token = EmulatorIDs.authToken()
        let id = EmulatorIDs.randomHex(bytes: 16)
        let expires = configuration.clock.date.addingTimeInterval(configuration.sessionLifetime.timeInterval)
        await drive.insert(
            DriveStore.Session(
                id: id, ownerID: owner, parentID: parent.id, missingFolders: missing, name: name, size: declared, received: 0,
                conflictBehavior: behaviour, tokenHash: Self.sha256Hex(token), expiresAt: expires,
                partPath: (drive.directory as NSString).appendingPathComponent("\(id).part")))
        return json(
            .object([
                ("@odata.context", .string("\(origin(of: request))/v1.0/$metadata#microsoft.graph.uploadSession")),
                ("uploadUrl", .string("\(uploadOrigin(of: request))/up/\(id)?authtoken=\(token)")),
                ("expirationDateTime", .string(GraphTimestamp.ticks(expires))),
                ("nextExpectedRanges", .array([.string("0-")])),
            ]))
    }

    /// OneDrive refuses these characters in names, and names that are only dots or spaces.
    static func checkDriveName(_ name: String) throws {
        let refused = CharacterSet(charactersIn: "\"*:<>?/\\|")
        guard name.rangeOfCharacter(from: refused) == nil, name.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) != "",
            name.utf8.count <= 400
        else {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "The name '\(name)' contains characters OneDrive does not allow.")
        }
    }

    /// The upload URL: `PUT` a fragment, `GET` the state, `DELETE` the session. Pre-authenticated:
    /// an `Authorization` header is refused with 401, as OneDrive's docs warn.
    private func driveUpload(_ request: Request, sessionID: String) async throws -> Response {
        if request.headers[.authorization] != nil {
            stats.update { $0.bearerOnUploadURL += 1 }
            throw GraphErrorResponse(.unauthorized, "unauthenticated", "The upload URL is pre-authenticated; requests to it must not carry an Authorization header.")
        }
        let query = ODataQuery(rawQuery: request.uri.query)
        guard let token = query.parameters["authtoken"], !token.isEmpty else {
            throw GraphErrorResponse(.unauthorized, "unauthenticated", "The upload URL has no authtoken.")
        }
        return try await locks.withLock("drive:" + sessionID) {
            guard let session = await drive.session(id: sessionID), Self.constantTimeEqual(Self.sha256Hex(token), session.tokenHash) else {
                throw GraphErrorResponse(.notFound, "itemNotFound", "The upload session was not found; it may have expired, completed or been cancelled.")
            }
            guard session.expiresAt > configuration.clock.date else {
                await drive.removeSession(id: sessionID)
                throw GraphErrorResponse(.notFound, "itemNotFound", "The upload session has expired.")
            }
            switch request.method {
            case .put:
                return try await putFragment(request, session: session, fault: faultSchedule.draw(sessionHasBytes: session.received > 0))
            case .get:
                return driveSessionState(session, status: .ok)
            case .delete:
                await drive.removeSession(id: sessionID)
                stats.update { $0.driveDeletedSessions += 1 }
                return Response(status: .noContent)
            default:
                throw GraphErrorResponse(.methodNotAllowed, "invalidRequest", "Use PUT, GET or DELETE on an upload URL.")
            }
        }
    }

    /// camelCase keys, as OneDrive writes them (Outlook's upload host writes PascalCase).
    private func driveSessionState(_ session: DriveStore.Session, status: HTTPResponse.Status) -> Response {
        let expected = session.size.map { $0 > session.received ? "\(session.received)-\($0 - 1)" : "\(session.received)-" } ?? "\(session.received)-"
        return json(
            .object([
                ("expirationDateTime", .string(GraphTimestamp.ticks(session.expiresAt))),
                ("nextExpectedRanges", .array([.string(expected)])),
            ]), status: status)
    }

    /// One fragment, by OneDrive's rules: in order from the next expected byte (a fragment
    /// it holds already is 416), under 60 MiB, every one but the last a multiple of 320 KiB,
    /// the total the same every time and within the drive's quota. 202 while incomplete; the
    /// last one commits the file and answers 201 with the driveItem.
    private func putFragment(_ request: Request, session original: DriveStore.Session, fault: FaultSchedule.Draw? = nil) async throws -> Response {
        stats.update { $0.drivePutRequests += 1 }
        var session = original
        let reject = { (error: GraphErrorResponse) -> GraphErrorResponse in
            self.stats.update { $0.driveRejectedFragments += 1 }
            return error
        }
        guard let rangeHeader = request.headers[.contentRange], let range = ContentRange(parsing: rangeHeader) else {
            throw reject(GraphErrorResponse(.badRequest, "invalidRequest", "The Content-Range header must read 'bytes {start}-{end}/{total}'."))
        }
        guard let lengthHeader = request.headers[.contentLength], let length = Int64(lengthHeader), length == range.length else {
            throw reject(GraphErrorResponse(.badRequest, "invalidRequest", "Content-Length must match the bytes of Content-Range."))
        }
        guard range.total > 0, range.total <= Self.maximumDriveFile, range.end < range.total else {
            throw reject(GraphErrorResponse(.badRequest, "invalidRequest", "The range \(range.start)-\(range.end) does not fit a file of \(range.total) bytes."))
        }
        if let size = session.size, size != range.total {
            throw reject(GraphErrorResponse(.badRequest, "invalidRequest", "The total in Content-Range (\(range.total)) is not the file's size (\(size))."))
        }
        guard length < Self.maximumDriveFragment else {
            throw reject(GraphErrorResponse(.contentTooLarge, "requestTooLarge", "A fragment must be smaller than 60 MiB; this one has \(length) bytes."))
        }
        let isLast = range.end == range.total - 1
        guard isLast || length % Self.driveFragmentGranularity == 0 else {
            throw reject(
                GraphErrorResponse(
                    .badRequest, "invalidRequest",
                    "Fragments must be a multiple of 320 KiB (327680 bytes), but for the last; this one has \(length) bytes."))
        }
        guard range.start == session.received else {
            throw reject(
                GraphErrorResponse(
                    .rangeNotSatisfiable, "invalidRange",
                    range.start < session.received
                        ? "The uploaded fragment overlaps with data that has already been received."
                        : "The fragment starts at byte \(range.start), but the session expects byte \(session.received) next."))
        }
        if session.size == nil, await drive.usedBytes(of: session.ownerID) + range.total > configuration.driveQuota {
            for try await _ in request.body {}
            throw reject(GraphErrorResponse(.init(code: 507), "quotaLimitReached", "Insufficient Space Available."))
        }
        session.size = range.total
        // A fault drawn for the request plays out once the checks have passed, as on
        // Outlook's upload host; OneDrive keeps nothing of a fragment cut short.
        var keep = length
        if let fault {
            switch fault.kind {
            case .unavailable, .unauthorized:
                for try await _ in request.body {}
                throw GraphErrorResponse(
                    .serviceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Try again later.",
                    retryAfter: fault.injection.retryAfterSeconds)
            case .throttled:
                for try await _ in request.body {}
                throw GraphErrorResponse(
                    .tooManyRequests, "activityLimitReached", "The app or user has been throttled.", retryAfter: fault.injection.retryAfterSeconds)
            case .expireSession:
                for try await _ in request.body {}
                await drive.removeSession(id: session.id)
                throw GraphErrorResponse(.notFound, "itemNotFound", "The upload session has expired.")
            case .slowReply:
                try await Task.sleep(for: fault.injection.slowReplyDelay)
            case .cutBody:
                keep = Int64(Double(length) * fault.fraction)
            case .dropReply:
                break
            }
        }
        var written: Int64 = 0
        do {
            try await FileSystem.shared.withFileHandle(forReadingAndWritingAt: FilePath(session.partPath), options: .modifyFile(createIfNecessary: true)) { handle in
                for try await chunk in request.body {
                    if keep < length, written >= keep { break }
                    let usable = min(Int64(chunk.readableBytes), keep - written)
                    guard usable > 0 else { continue }
                    _ = try await handle.write(contentsOf: chunk.readableBytesView.prefix(Int(usable)), toAbsoluteOffset: range.start + written)
                    written += usable
                }
            }
        } catch {
            // The client went away mid-fragment: OneDrive keeps none of a fragment cut short.
            await drive.update(session)
            throw error
        }
        if configuration.rangeDelay > .zero { try await Task.sleep(for: configuration.rangeDelay) }
        stats.update { $0.drivePutBytes += written }
        if keep < length {
            await drive.update(session)
            throw DroppedConnection()
        }
        guard written == length else {
            await drive.update(session)
            throw reject(GraphErrorResponse(.badRequest, "invalidRequest", "The body had \(written) bytes; Content-Length said \(length)."))
        }
        session.received = range.end + 1
        guard session.received == range.total else {
            await drive.update(session)
            if fault?.kind == .dropReply { throw DroppedConnection() }
            return driveSessionState(session, status: .accepted)
        }
        let sha256 = try await Self.sha256Hex(ofFile: session.partPath)
        let mimeType = ContentSniffer.contentType(declared: nil, name: session.name, head: [])
        guard let item = await drive.commit(session, sha256: sha256, mimeType: mimeType, downloadToken: EmulatorIDs.authToken(), now: configuration.clock.date) else {
            await drive.update(session)
            throw GraphErrorResponse(.conflict, "nameAlreadyExists", "The specified item name already exists.")
        }
        stats.update { $0.driveCompletedSessions += 1 }
        // The file is made: only the reply is lost.
        if fault?.kind == .dropReply { throw DroppedConnection() }
        return json(await driveItemJSON(item, for: request), status: .created)
    }

    // MARK: Links

    /// `POST …/createLink` `{"type": "view"|"edit"|"embed", "scope": "anonymous"|"organization"|"users"}`
    /// → 201 with the new permission, 200 with the one the item already had of that type and
    /// scope. Anonymous links are refused where the tenant turned them off.
    private func createLink(_ request: Request, reference: DriveRoute.Reference, owner: String) async throws -> Response {
        let item = try await resolve(reference, owner: owner)
        let body = try await readJSON(request)
        guard let type = body.value(forKeyIgnoringCase: "type")?.stringValue?.lowercased() else {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "The link type is required.")
        }
        guard ["view", "edit", "embed"].contains(type) else {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "Invalid link type '\(type)'.")
        }
        let scope = body.value(forKeyIgnoringCase: "scope")?.stringValue?.lowercased() ?? (configuration.anonymousLinks ? "anonymous" : "organization")
        guard ["anonymous", "organization", "users"].contains(scope) else {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "Invalid link scope '\(scope)'.")
        }
        if type == "embed", scope != "anonymous" {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "Embed links are only anonymous.")
        }
        if scope == "anonymous", !configuration.anonymousLinks {
            throw GraphErrorResponse(.forbidden, "accessDenied", "Anonymous sharing links are disabled for this organization.")
        }
        let expiration = body.value(forKeyIgnoringCase: "expirationDateTime")?.stringValue
        if let expiration, (try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(expiration)) == nil,
            (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(expiration)) == nil
        {
            throw GraphErrorResponse(.badRequest, "invalidRequest", "The expirationDateTime '\(expiration)' is not a date and time.")
        }
        let (link, created) = await drive.link(
            for: item.id, type: type, scope: scope, expirationDateTime: expiration, origin: origin(of: request))
        if created { stats.update { $0.driveLinksCreated += 1 } }
        var linkPairs: [(String, JSONValue)] = [("type", .string(link.type)), ("scope", .string(link.scope)), ("webUrl", .string(link.webUrl))]
        if link.type == "embed" { linkPairs.append(("webHtml", .string("<iframe src=\"\(link.webUrl)\"></iframe>"))) }
        var pairs: [(String, JSONValue)] = [
            ("id", .string(link.id)),
            ("roles", .array([.string(link.type == "edit" ? "write" : "read")])),
            ("link", .object(linkPairs)),
        ]
        if let expiration = link.expirationDateTime { pairs.append(("expirationDateTime", .string(expiration))) }
        return json(.object(pairs), status: created ? .created : .ok)
    }
}
