import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Answers every request the emulator serves: parses the path into a ``GraphRoute``,
/// checks who is asking, and hands over to the handler for that route. Failures come out
/// as Graph error bodies, each reply with a `request-id`.
struct GraphResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext

    /// Who a bearer token signs in, and with what permissions.
    struct Grant: Sendable {
        var user: UserRow
        var scopes: Set<String>
    }

    let store: MailboxStore
    /// Each user's OneDrive.
    let drive: DriveStore
    let configuration: EmulatorConfiguration
    let stats: EmulatorStats
    let locks = KeyedLock()
    let faultSchedule: FaultSchedule
    let logger: Logger
    /// The tokens the identity origin issued, which Graph takes like the configured ones.
    let identity: IdentityStore
    let origins: ListenerOrigins
    /// Outlook's limits, shared by the Graph and upload listeners.
    let throttle: MailboxThrottle
    /// Which listener this one answers for: Graph, or the upload host (upload URLs only).
    var listener: GraphEmulator.Listener = .graph

    static let requestIDField = HTTPField.Name("request-id")!
    static let clientRequestIDField = HTTPField.Name("client-request-id")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = EmulatorIDs.requestID()
        let clientRequestID = request.headers[Self.clientRequestIDField]
        var response: Response
        do {
            response = try await dispatch(request, context: context)
        } catch is DroppedConnection {
            // A fault: the client gets no reply at all, as when a link breaks.
            logger.info("\(request.method) \(Self.pathForLog(request.uri.path)) → connection dropped (fault)", metadata: ["request-id": "\(requestID)"])
            context.channel.close(promise: nil)
            return Response(status: .internalServerError)
        } catch let error as GraphErrorResponse {
            response = error.response(requestID: requestID, clientRequestID: clientRequestID)
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)"])
            response = GraphErrorResponse(.internalServerError, "generalException", "An internal server error occurred.")
                .response(requestID: requestID, clientRequestID: clientRequestID)
        }
        if response.status == .contentTooLarge {
            // The body was too large to read and is left unread: the connection cannot carry
            // another request. ClosingReplyHandler ends it once this reply is out.
            response.headers[.connection] = "close"
        }
        response.headers[Self.requestIDField] = requestID
        if let clientRequestID { response.headers[Self.clientRequestIDField] = clientRequestID }
        logger.info(
            "\(request.method) \(Self.pathForLog(request.uri.path)) → \(response.status.code)",
            metadata: ["request-id": "\(requestID)"])
        return response
    }

    /// The path with upload-session keys masked: logs never carry a way into a session.
    static func pathForLog(_ path: String) -> String {
        guard let range = path.range(of: "AttachmentSessions(", options: .caseInsensitive) else { return path }
        return String(path[..<range.upperBound]) + "…)"
    }

    private func dispatch(_ request: Request, context: Context) async throws -> Response {
        if let route = DriveRoute.parse(request.uri.path) { return try await dispatchDrive(route, request, context: context) }
        guard let route = GraphRoute.parse(request.uri.path) else {
            let last = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
            throw GraphErrorResponse(.badRequest, "BadRequest", "Resource not found for the segment '\(GraphRoute.percentDecode(last))'.")
        }
        let query = ODataQuery(rawQuery: request.uri.query)
        switch (route, request.method) {
        case (.uploadSession(let user, let kind, let itemID, let sessionID), _):
            guard listener == .upload else {
                // As on Graph: upload URLs live on the upload host, never under the Graph root.
                throw GraphErrorResponse(.notFound, "ResourceNotFound", "Upload sessions are served by the host in their uploadUrl, not by Graph.")
            }
            // `id@tenant`, as the emulator writes it: the owner's id, with no lookup per range.
            let mailbox = String(user.split(separator: "@").first ?? Substring(user))
            return try await throttled(request, mailbox: mailbox, uploadBytes: request.method == .put ? Self.uploadBytes(request) : 0) {
                try await uploadSession(request, user: user, kind: kind, itemID: itemID, sessionID: sessionID, query: query, context: context)
            }
        case _ where listener == .upload:
            throw GraphErrorResponse(.notFound, "ResourceNotFound", "The upload host serves upload URLs only.")
        case (.control(let path), _):
            return try await control(request, path: path, query: query)
        default:
            break
        }

        let grant = try authenticate(request)
        guard let mailbox = route.mailbox else { throw GraphErrorResponse(.methodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported.") }
        let isAttachmentPost = request.method == .post && { if case .attachments = route { true } else { false } }()
        return try await throttled(request, mailbox: try await throttleKey(mailbox, grant: grant), uploadBytes: isAttachmentPost ? Self.uploadBytes(request) : 0) {
            try await serve(route, request, query: query, grant: grant, context: context)
        }
    }

    /// A Graph request, once let in.
    private func serve(_ route: GraphRoute, _ request: Request, query: ODataQuery, grant: Grant, context: Context) async throws -> Response {
        try Self.validate(query, for: route)
        switch (route, request.method) {
        case (.userProfile(let mailbox), .get):
            return try await getUser(request, mailbox: mailbox, query: query, grant: grant)
        case (.items(let mailbox, let kind), .get):
            return try await listItems(request, mailbox: mailbox, kind: kind, query: query, grant: grant)
        case (.items(let mailbox, let kind), .post):
            return try await createItem(request, mailbox: mailbox, kind: kind, grant: grant)
        case (.item(let mailbox, let kind, let id), .get):
            return try await getItem(request, mailbox: mailbox, kind: kind, id: id, query: query, grant: grant)
        case (.item(let mailbox, let kind, let id), .patch):
            return try await updateItem(request, mailbox: mailbox, kind: kind, id: id, grant: grant)
        case (.item(let mailbox, let kind, let id), .delete):
            return try await deleteItem(mailbox: mailbox, kind: kind, id: id, grant: grant)
        case (.sendMessage(let mailbox, let id), .post):
            return try await sendMessage(request, mailbox: mailbox, id: id, grant: grant)
        case (.createResponse(let mailbox, let id, let response), .post):
            return try await createResponse(request, mailbox: mailbox, id: id, response: response, grant: grant)
        case (.attachments(let mailbox, let kind, let id), .get):
            return try await listAttachments(request, mailbox: mailbox, kind: kind, itemID: id, query: query, grant: grant)
        case (.attachments(let mailbox, let kind, let id), .post):
            return try await postAttachment(request, mailbox: mailbox, kind: kind, itemID: id, grant: grant)
        case (.attachment(let mailbox, let kind, let id, let attachmentID), .get):
            return try await getAttachment(
                request, mailbox: mailbox, kind: kind, itemID: id, attachmentID: attachmentID, query: query, grant: grant)
        case (.attachment(let mailbox, let kind, let id, let attachmentID), .delete):
            return try await deleteAttachment(mailbox: mailbox, kind: kind, itemID: id, attachmentID: attachmentID, grant: grant)
        case (.attachmentValue(let mailbox, let kind, let id, let attachmentID), .get):
            return try await attachmentValue(mailbox: mailbox, kind: kind, itemID: id, attachmentID: attachmentID, grant: grant, context: context)
        case (.createUploadSession(let mailbox, let kind, let id), .post):
            return try await createUploadSession(request, mailbox: mailbox, kind: kind, itemID: id, grant: grant)
        default:
            throw GraphErrorResponse(.methodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported.")
        }
    }

    /// Refuses the query options Graph refuses: `$top` and `$skip` that are not
    /// non-negative integers, and `$select` (also inside `$expand`) naming a property the
    /// type does not have. Graph never ignores them, so neither does the emulator.
    static func validate(_ query: ODataQuery, for route: GraphRoute) throws(GraphErrorResponse) {
        try query.validate()
        switch route {
        case .userProfile:
            try GraphProperties.check(query.select, on: .user)
        case .items(_, let kind), .item(_, let kind, _):
            try GraphProperties.check(query.select, on: .init(kind))
            try GraphProperties.check(query.expandSelect, on: .attachment)
        case .attachments, .attachment:
            try GraphProperties.check(query.select, on: .attachment)
        case .attachmentValue, .createUploadSession, .sendMessage, .createResponse, .uploadSession, .control:
            break
        }
    }

    // MARK: Who is asking

    /// Who the bearer token signs in: a configured token, or an access token the identity
    /// origin issued and that has not expired. A 401 says why, with `WWW-Authenticate`
    /// naming the authority to get a token from, as Graph's does.
    func authenticate(_ request: Request) throws -> Grant {
        guard let header = request.headers[.authorization], !header.isEmpty else {
            throw unauthorized("Access token is empty.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw unauthorized("Access token is not a bearer token.")
        }
        let token = String(parts[1])
        if let grant = grants[token] { return grant }
        switch identity.check(accessToken: token) {
        case .valid(let user, let scopes):
            return Grant(user: user, scopes: scopes)
        case .expired:
            throw unauthorized("Lifetime validation failed, the token is expired.")
        case .unknown:
            throw unauthorized("Access token validation failure. Invalid audience.")
        }
    }

    /// Graph's application id, which its challenges name.
    static let graphClientID = "00000003-0000-0000-c000-000000000000"

    func unauthorized(_ message: String) -> GraphErrorResponse {
        let authority = origins.identity ?? "https://login.microsoftonline.com"
        let challenge = "Bearer realm=\"\", authorization_uri=\"\(authority)/common/oauth2/authorize\", client_id=\"\(Self.graphClientID)\""
        return GraphErrorResponse(.unauthorized, "InvalidAuthenticationToken", message, headers: [.wwwAuthenticate: challenge])
    }

    /// The tokens of the configuration, resolved to their users once at start.
    var grants: [String: Grant] { grantTable.grants }
    let grantTable: GrantTable

    /// The mailbox a path names; only its owner may reach it.
    func owner(of mailbox: GraphRoute.Mailbox, grant: Grant) async throws -> UserRow {
        switch mailbox {
        case .me:
            return grant.user
        case .user(let key):
            guard let user = try await store.user(matching: key) else {
                throw GraphErrorResponse(.notFound, "ErrorInvalidUser", "The requested user '\(key)' is invalid.")
            }
            guard user.id == grant.user.id else { throw GraphErrorResponse.accessDenied }
            return user
        }
    }

    /// The owner of the mailbox a path to items names: the signed-in user's own, or one
    /// they are a delegate of, reached with the `.Shared` permission (`Mail.ReadWrite.Shared`).
    func mailboxOwner(of mailbox: GraphRoute.Mailbox, grant: Grant, kind: ItemKind, write: Bool) async throws -> UserRow {
        guard case .user(let key) = mailbox else { return grant.user }
        guard let user = try await store.user(matching: key) else {
            throw GraphErrorResponse(.notFound, "ErrorInvalidUser", "The requested user '\(key)' is invalid.")
        }
        if user.id == grant.user.id { return user }
        let delegates = configuration.delegates[user.userPrincipalName.lowercased()] ?? []
        guard delegates.contains(grant.user.userPrincipalName.lowercased()) else { throw GraphErrorResponse.accessDenied }
        let shared = write ? [kind.writeScope + ".Shared"] : kind.readScopes.map { $0 + ".Shared" }
        guard !grant.scopes.isDisjoint(with: shared) else { throw GraphErrorResponse.accessDenied }
        return user
    }

    func require(_ grant: Grant, read kind: ItemKind) throws {
        guard !grant.scopes.isDisjoint(with: kind.readScopes) else { throw GraphErrorResponse.accessDenied }
    }

    func require(_ grant: Grant, write kind: ItemKind) throws {
        guard grant.scopes.contains(kind.writeScope) else { throw GraphErrorResponse.accessDenied }
    }

    /// The item a path names, checked for existence, ownership and permission.
    func item(_ mailbox: GraphRoute.Mailbox, _ kind: ItemKind, _ id: String, grant: Grant, write: Bool) async throws -> (UserRow, ItemRow) {
        if write { try require(grant, write: kind) } else { try require(grant, read: kind) }
        let owner = try await mailboxOwner(of: mailbox, grant: grant, kind: kind, write: write)
        guard let item = try await store.item(id: id, owner: owner.id, kind: kind) else {
            throw GraphErrorResponse.notFound()
        }
        return (owner, item)
    }

    // MARK: Replies

    /// `scheme://host:port` for URLs written into replies.
    func origin(of request: Request) -> String {
        if let publicOrigin = listener == .upload ? configuration.uploadPublicOrigin : configuration.publicOrigin { return publicOrigin }
        let authority = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        return "\(configuration.scheme)://\(authority)"
    }

    /// `scheme://host:port` of the upload host, for `uploadUrl` and the final `Location`.
    func uploadOrigin(of request: Request) -> String {
        configuration.uploadPublicOrigin ?? origins.upload ?? origin(of: request)
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized())))
    }

    /// Percent-encodes an OData key for `@odata.context`, as Graph does (`@` → `%40`, `=` → `%3D`).
    static func escapeKey(_ key: String) -> String {
        var out = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// The configured tokens, resolved to users once the store is seeded.
struct GrantTable: Sendable {
    var grants: [String: GraphResponder.Grant]
    /// Users tokens were configured for who are not in the store: said at start, since
    /// every request with their token gets a 401.
    var missingUsers: [String] = []

    static func resolve(_ tokens: [EmulatorConfiguration.StaticToken], in store: MailboxStore) async throws -> GrantTable {
        var table = GrantTable(grants: [:])
        for token in tokens {
            guard let user = try await store.user(matching: token.user) else {
                table.missingUsers.append(token.user)
                continue
            }
            table.grants[token.token] = .init(user: user, scopes: token.scopes)
        }
        return table
    }
}
