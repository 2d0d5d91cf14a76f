import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers the identity origin, the emulator's `login.microsoftonline.com`: the OAuth 2.0
/// endpoints of the Microsoft identity platform v2.0 for a public client (device code,
/// authorization code with PKCE, refresh), the device login page, and the emulator's
/// control routes for tests. Errors come out as the identity platform writes them.
struct IdentityResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext

    let store: IdentityStore
    let directory: TenantDirectory
    let configuration: EmulatorConfiguration
    /// The configured static tokens, which the control routes take as Graph's do.
    let grantTable: GrantTable
    let origins: ListenerOrigins
    let logger: Logger

    static let maximumForm = 64 * 1024
    static let clientRequestIDField = HTTPField.Name("client-request-id")!
    static let msRequestIDField = HTTPField.Name("x-ms-request-id")!
    static let pragmaField = HTTPField.Name("Pragma")!

    /// Thrown where a person, not a client, is looking: the error becomes an HTML page.
    struct PageError: Error {
        var error: IdentityError
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let traceID = EmulatorIDs.requestID()
        let clientRequestID = request.headers[Self.clientRequestIDField]
        let correlationID = clientRequestID ?? EmulatorIDs.requestID()
        var response: Response
        do {
            response = try await dispatch(request, traceID: traceID, correlationID: correlationID)
        } catch let error as IdentityError {
            store.count { $0.errors[error.error, default: 0] += 1 }
            response = json(error.body(traceID: traceID, correlationID: correlationID), status: error.status)
        } catch let page as PageError {
            store.count { $0.errors[page.error.error, default: 0] += 1 }
            response = SignInPages.error(page.error, traceID: traceID, correlationID: correlationID)
        } catch let error as GraphErrorResponse {
            response = error.response(requestID: traceID, clientRequestID: clientRequestID)
        } catch {
            logger.error("identity request failed", metadata: ["error": "\(error)"])
            let failure = IdentityError(.internalServerError, "server_error", 50000, "There was an error issuing a token.")
            response = json(failure.body(traceID: traceID, correlationID: correlationID), status: failure.status)
        }
        if response.status == .contentTooLarge {
            // The body is left unread: the connection cannot carry another request.
            response.headers[.connection] = "close"
        }
        response.headers[Self.msRequestIDField] = traceID
        if let clientRequestID { response.headers[Self.clientRequestIDField] = clientRequestID }
        // The path only: queries and bodies carry codes, and a redirect's Location a code too.
        logger.info("\(request.method) \(request.uri.path) → \(response.status.code)", metadata: ["request-id": "\(traceID)"])
        return response
    }

    private func dispatch(_ request: Request, traceID: String, correlationID: String) async throws -> Response {
        guard let route = IdentityRoute.parse(request.uri.path) else {
            throw IdentityError(.notFound, "invalid_request", 90056, "The request path '\(request.uri.path)' names no endpoint of this authority.")
        }
        switch route {
        case .deviceCode(let tenant):
            return try await deviceCode(request, tenant: tenant)
        case .token(let tenant):
            return try await token(request, tenant: tenant)
        case .authorize(let tenant):
            return try await authorize(request, tenant: tenant, traceID: traceID, correlationID: correlationID)
        case .discovery(let tenant):
            return try discovery(request, tenant: tenant)
        case .verification:
            return try await verificationPage(request)
        case .control(let path):
            return try await control(request, path: path)
        }
    }

    // MARK: What every endpoint checks

    /// The body of a token or devicecode request: a POST of `application/x-www-form-urlencoded`.
    func form(_ request: Request) async throws -> FormBody {
        guard request.method == .post else { throw IdentityError.onlyPost }
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else { throw IdentityError.notForm(type) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumForm)
        } catch {
            throw IdentityError(.contentTooLarge, "invalid_request", 90015, "The request body is too long.")
        }
        return try FormBody(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// The registered application `clientID` names; AADSTS700016 for any other.
    func client(_ clientID: String, tenant: String) throws(IdentityError) -> IdentityConfiguration.Client {
        guard let client = configuration.identity.clients.first(where: { $0.id.lowercased() == clientID.lowercased() }) else {
            throw IdentityError.unknownClient(clientID, directory: TenantDirectory.displayName(tenant))
        }
        return client
    }

    /// Tenant, client and no secret: what a public client's request must get right first.
    func caller(_ form: FormBody, tenant segment: String) throws(IdentityError) -> (tenant: String, client: IdentityConfiguration.Client) {
        let tenant = try directory.resolve(segment)
        let client = try client(try form.required("client_id"), tenant: segment)
        if form["client_secret"] != nil || form["client_assertion"] != nil { throw IdentityError.publicClientWithSecret }
        return (tenant, client)
    }

    /// `scheme://host:port` of this origin, for URLs written into replies.
    func origin(of request: Request) -> String {
        if let publicOrigin = configuration.identity.publicOrigin { return publicOrigin }
        if let authority = request.head.authority { return "\(configuration.scheme)://\(authority)" }
        return origins.identity ?? "\(configuration.scheme)://\(configuration.host)"
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        // Token replies must not be cached (RFC 6749 §5.1); Microsoft says so on every reply.
        let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store, no-cache", Self.pragmaField: "no-cache"]
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized())))
    }

    /// Seconds for `expires_in` and `interval`: whole, rounded up.
    static func seconds(_ duration: Duration) -> Int64 {
        Int64(duration.timeInterval.rounded(.up))
    }

    // MARK: Discovery

    /// `GET /{tenant}/v2.0/.well-known/openid-configuration`: where the endpoints are.
    private func discovery(_ request: Request, tenant segment: String) throws -> Response {
        let tenant = try directory.resolve(segment)
        let origin = origin(of: request)
        let base = "\(origin)/\(segment)"
        let issuerTenant = TenantDirectory.aliases.contains(tenant) ? "{tenantid}" : segment
        var pairs: [(String, JSONValue)] = [
            ("token_endpoint", .string("\(base)/oauth2/v2.0/token")),
            ("token_endpoint_auth_methods_supported", .array([.string("none")])),
            ("response_modes_supported", .array([.string("query")])),
            ("response_types_supported", .array([.string("code")])),
            ("scopes_supported", .array(["openid", "profile", "email", "offline_access"].map { .string($0) })),
            ("code_challenge_methods_supported", .array([.string("S256")])),
            ("issuer", .string("\(origin)/\(issuerTenant)/v2.0")),
            ("authorization_endpoint", .string("\(base)/oauth2/v2.0/authorize")),
            ("device_authorization_endpoint", .string("\(base)/oauth2/v2.0/devicecode")),
            ("cloud_instance_name", .string("attache.test")),
        ]
        if let graph = origins.graph { pairs.append(("msgraph_host", .string(String(graph.drop { $0 != "/" }.dropFirst(2))))) }
        return json(.object(pairs))
    }
}
