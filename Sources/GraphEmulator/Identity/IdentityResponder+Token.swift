import Clocks
import Foundation
import HTTPTypes
import Hummingbird

extension IdentityResponder {
    static let deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

    /// `POST /{tenant}/oauth2/v2.0/token`, by `grant_type`:
    ///
    /// - `urn:ietf:params:oauth:grant-type:device_code` with `device_code`: tokens once the
    ///   user approved, else `authorization_pending`, `slow_down`, `authorization_declined`,
    ///   `expired_token` or `bad_verification_code`;
    /// - `authorization_code` with `code`, `redirect_uri` (the one `authorize` had) and
    ///   `code_verifier` (checked against the challenge); each code redeems once;
    /// - `refresh_token` with `refresh_token` (and optionally a narrower `scope`): new tokens
    ///   and a new refresh token; the one sent stops working.
    func token(_ request: Request, tenant segment: String) async throws -> Response {
        let form = try await form(request)
        let grantType = try form.required("grant_type")
        store.count { $0.tokenRequests[IdentityStats.grantName(grantType), default: 0] += 1 }
        let (tenant, client) = try caller(form, tenant: segment)
        let tokens: IssuedTokens
        var nonce: String?
        switch grantType {
        case Self.deviceCodeGrantType:
            store.count { $0.deviceCodePolls += 1 }
            do {
                tokens = try store.poll(deviceCode: try form.required("device_code"), clientID: client.id, tenant: tenant)
            } catch {
                if error.error == "authorization_pending" { store.count { $0.pendingReplies += 1 } }
                if error.error == "slow_down" { store.count { $0.slowDownReplies += 1 } }
                throw error
            }
        case "authorization_code":
            (tokens, nonce) = try store.redeem(
                code: try form.required("code"), clientID: client.id, tenant: tenant, redirectURI: form["redirect_uri"],
                codeVerifier: form["code_verifier"])
        case "refresh_token":
            do {
                let requested = try form["scope"].map { (text: String) throws(IdentityError) in try ScopeSet(parsing: text) }
                tokens = try store.refresh(token: try form.required("refresh_token"), client: client, tenant: tenant, requested: requested)
                store.count { $0.refreshes += 1 }
            } catch {
                store.count { $0.refusedRefreshes += 1 }
                throw error
            }
        default:
            throw IdentityError.unsupportedGrantType(grantType)
        }
        return tokenReply(tokens, nonce: nonce, clientInfo: form["client_info"] == "1", request: request)
    }

    /// A token reply as Microsoft orders it: `token_type`, `scope`, `expires_in`,
    /// `ext_expires_in`, `access_token`, `refresh_token` (with `offline_access`), `id_token`
    /// (only when `openid` was asked for), `client_info` (only when `client_info=1` was sent).
    ///
    /// `client_info` is what MSAL asks for and builds its accounts from: base64url of
    /// `{"uid": object id, "utid": tenant id}`, so the account's `home_account_id` is
    /// `oid.tid`, as against Entra. Without it MSAL falls back to the id_token's `sub`.
    func tokenReply(_ tokens: IssuedTokens, nonce: String?, clientInfo: Bool, request: Request) -> Response {
        let lifetime = Int64(tokens.expiresIn)
        var pairs: [(String, JSONValue)] = [
            ("token_type", .string("Bearer")),
            ("scope", .string(tokens.scopes.replyText)),
            ("expires_in", .int(lifetime)),
            ("ext_expires_in", .int(lifetime)),
            ("access_token", .string(tokens.accessToken)),
        ]
        if let refresh = tokens.refreshToken { pairs.append(("refresh_token", .string(refresh))) }
        if tokens.scopes.openID {
            let idToken = IDToken.make(
                user: tokens.user, clientID: tokens.clientID, issuerOrigin: origin(of: request), nonce: nonce, lifetime: TimeInterval(lifetime),
                now: store.clock.date)
            pairs.append(("id_token", .string(idToken)))
        }
        if clientInfo {
            let info = JSONValue.object([("uid", .string(tokens.user.id)), ("utid", .string(tokens.user.tenantID))])
            pairs.append(("client_info", .string(EmulatorIDs.base64URL(Array(info.serialized().utf8)))))
        }
        return json(.object(pairs))
    }
}
