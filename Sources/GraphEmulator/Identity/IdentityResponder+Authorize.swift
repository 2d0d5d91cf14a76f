import Foundation
import HTTPTypes
import Hummingbird

extension IdentityResponder {
    /// `GET /{tenant}/oauth2/v2.0/authorize` with `client_id`, `response_type=code`,
    /// `redirect_uri`, `scope`, `state`, `code_challenge` and `code_challenge_method=S256`
    /// (and optionally `login_hint`, `nonce`): signs in without asking (as the decision in
    /// force says) and answers `302` to `redirect_uri?code=…&state=…`, or to
    /// `redirect_uri?error=access_denied&…` when the decision is to deny.
    ///
    /// Until the redirect URI is known to be the client's, errors are a page, not a
    /// redirect, as at Microsoft: an unknown tenant or client, or a redirect URI that is not
    /// `http://localhost` or `http://127.0.0.1` (any port, any path).
    func authorize(_ request: Request, tenant segment: String, traceID: String, correlationID: String) async throws -> Response {
        store.count { $0.authorizeRequests += 1 }
        let query: FormBody
        let tenant: String
        let client: IdentityConfiguration.Client
        let redirectURI: String
        do {
            guard request.method == .get else {
                throw IdentityError(.methodNotAllowed, "invalid_request", 900_561, "The authorize endpoint takes GET requests.")
            }
            query = try FormBody(request.uri.query ?? "")
            tenant = try directory.resolve(segment)
            client = try self.client(try query.required("client_id"), tenant: segment)
            redirectURI = try query.required("redirect_uri")
            guard Self.isLoopbackRedirect(redirectURI) else { throw IdentityError.redirectNotRegistered(redirectURI, clientID: client.id) }
        } catch let error as IdentityError {
            throw PageError(error: error)
        }

        let state = query["state"]
        func redirect(_ pairs: [(String, String)]) -> Response {
            let separator = redirectURI.contains("?") ? "&" : "?"
            let all = pairs + (state.map { [("state", $0)] } ?? [])
            return Response(
                status: .found, headers: [.location: redirectURI + separator + FormBody.encode(all), .cacheControl: "no-store"])
        }
        func fail(_ error: IdentityError, subcode: String? = nil) -> Response {
            store.count { $0.errors[error.error, default: 0] += 1 }
            let description = "\(error.description) Trace ID: \(traceID) Correlation ID: \(correlationID) Timestamp: \(IdentityError.timestamp(Date()))"
            return redirect([("error", error.error)] + (subcode.map { [("error_subcode", $0)] } ?? []) + [("error_description", description)])
        }

        guard let responseType = query["response_type"] else { return fail(.missing("response_type")) }
        guard responseType == "code" else {
            return fail(
                IdentityError(
                    .badRequest, "unsupported_response_type", 700_054,
                    "response_type '\(responseType)' is not enabled for the application. The emulator answers response_type=code only."))
        }
        if let mode = query["response_mode"], mode != "query" {
            return fail(IdentityError(.badRequest, "invalid_request", 90100, "The emulator answers response_mode=query only, not '\(mode)'."))
        }
        guard let scopeText = query["scope"] else { return fail(.missing("scope")) }
        let scopes: ScopeSet
        do {
            scopes = try ScopeSet(parsing: scopeText)
        } catch {
            return fail(error)
        }
        // Microsoft takes `plain` too and PKCE as optional for a native client; the emulator
        // asks for S256 always, so a client that leaves it out is caught here.
        guard let challenge = query["code_challenge"] else {
            return fail(
                IdentityError(
                    .badRequest, "invalid_request", 9_002_325,
                    "Proof Key for Code Exchange is required: send code_challenge and code_challenge_method=S256."))
        }
        guard query["code_challenge_method"] == "S256" else {
            return fail(IdentityError(.badRequest, "invalid_request", 50149, "Invalid Code_Challenge_method parameter. The emulator takes S256 only."))
        }
        guard PKCE.isWellFormedChallenge(challenge) else {
            return fail(IdentityError(.badRequest, "invalid_request", 501_491, "Invalid size of Code_Challenge parameter."))
        }

        switch store.authorizeDecision {
        case .deny:
            return fail(IdentityError.authorizationDeclined.with(error: "access_denied"), subcode: "cancel")
        case .approve(let configured):
            let user: UserRow
            do {
                // A login_hint naming a user of this tenant picks them; otherwise whom the decision names.
                if let hint = query["login_hint"], let hinted = try? directory.user(hint, signingInThrough: tenant) {
                    user = hinted
                } else {
                    user = try directory.user(configured ?? EmulatorConfiguration.demoUser, signingInThrough: tenant)
                }
            } catch {
                throw PageError(error: error)
            }
            let code = store.issueAuthorizationCode(
                clientID: client.id, tenant: tenant, redirectURI: redirectURI, scopes: scopes, codeChallenge: challenge, nonce: query["nonce"],
                user: user)
            return redirect([("code", code)] + [("session_state", EmulatorIDs.requestID())])
        }
    }

    /// `http://localhost[:port]/…` or `http://127.0.0.1[:port]/…`: the loopback redirects a
    /// public client registered with `http://localhost` may use, on any port (RFC 8252 §7.3).
    static func isLoopbackRedirect(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), url.scheme == "http", url.fragment == nil, url.user == nil, url.password == nil,
            let host = url.host?.lowercased()
        else { return false }
        return host == "localhost" || host == "127.0.0.1"
    }
}
