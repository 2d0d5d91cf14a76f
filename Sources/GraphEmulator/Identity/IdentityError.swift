import Foundation
import HTTPTypes
import Hummingbird

/// An error the way the Microsoft identity platform writes one:
/// `{"error": "invalid_grant", "error_description": "AADSTS54005: … Trace ID: … Correlation ID: … Timestamp: …",
/// "error_codes": [54005], "timestamp": …, "trace_id": …, "correlation_id": …}`.
///
/// Clients act on `error` (RFC 6749 and RFC 8628 names); the AADSTS number and the text are
/// for people, and are Microsoft's where Microsoft documents them.
struct IdentityError: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    /// The OAuth error: `invalid_grant`, `authorization_pending`, …
    var error: String
    var code: Int
    var message: String

    init(_ status: HTTPResponse.Status = .badRequest, _ error: String, _ code: Int, _ message: String) {
        self.status = status
        self.error = error
        self.code = code
        self.message = message
    }

    /// `AADSTS54005: OAuth2 Authorization code was already redeemed, …` without the trace lines.
    var description: String { "AADSTS\(code): \(message)" }

    /// The same error under another OAuth name (`authorize` says `access_denied` where the
    /// device flow says `authorization_declined`).
    func with(error name: String) -> IdentityError {
        var copy = self
        copy.error = name
        return copy
    }

    /// The same error with another status (a control route's 404 for an unknown code).
    func with(status: HTTPResponse.Status) -> IdentityError {
        var copy = self
        copy.status = status
        return copy
    }

    func body(traceID: String, correlationID: String, now: Date = Date()) -> JSONValue {
        let timestamp = Self.timestamp(now)
        return .object([
            ("error", .string(error)),
            ("error_description", .string("\(description) Trace ID: \(traceID) Correlation ID: \(correlationID) Timestamp: \(timestamp)")),
            ("error_codes", .array([.int(Int64(code))])),
            ("timestamp", .string(timestamp)),
            ("trace_id", .string(traceID)),
            ("correlation_id", .string(correlationID)),
        ])
    }

    /// `2024-08-27 20:02:29Z`, as the identity platform writes times in errors.
    static func timestamp(_ date: Date) -> String {
        GraphTimestamp.seconds(date).replacingOccurrences(of: "T", with: " ")
    }

    // MARK: The errors the emulator gives, by AADSTS number

    static func missing(_ parameter: String) -> IdentityError {
        IdentityError(.badRequest, "invalid_request", 900_144, "The request body must contain the following parameter: '\(parameter)'.")
    }

    static func malformed(_ detail: String) -> IdentityError {
        IdentityError(.badRequest, "invalid_request", 9_002_313, "Invalid request. Request is malformed or invalid. \(detail)")
    }

    static func unknownTenant(_ tenant: String) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_request", 90002,
            "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        )
    }

    static func unknownClient(_ clientID: String, directory: String) -> IdentityError {
        IdentityError(
            .badRequest, "unauthorized_client", 700_016,
            "Application with identifier '\(clientID)' was not found in the directory '\(directory)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        )
    }

    static let publicClientWithSecret = IdentityError(
        .unauthorized, "invalid_client", 700_025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")

    static func unsupportedGrantType(_ grantType: String) -> IdentityError {
        IdentityError(.badRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '\(grantType)'.")
    }

    static func invalidScope(_ scope: String) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_scope", 70011,
            "The provided value for the input parameter 'scope' is not valid. The scope '\(scope)' is not valid.")
    }

    static let onlyPost = IdentityError(.badRequest, "invalid_request", 900_561, "The endpoint only accepts POST, OPTIONS requests. Received a GET request.")

    static func notForm(_ contentType: String) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_request", 90014,
            "The request body must be application/x-www-form-urlencoded, not '\(contentType)'.")
    }

    // Device code (RFC 8628 as Microsoft implements it).

    static let authorizationPending = IdentityError(
        .badRequest, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")

    /// Microsoft documents no number of its own for `slow_down`; the flow is still pending.
    static func slowDown(interval: Int) -> IdentityError {
        IdentityError(
            .badRequest, "slow_down", 70016,
            "OAuth 2.0 device flow error. Authorization is pending. Polling too fast: wait at least \(interval) seconds between requests.")
    }

    static let authorizationDeclined = IdentityError(.badRequest, "authorization_declined", 65004, "User declined to consent to access the app.")

    static let deviceCodeExpired = IdentityError(
        .badRequest, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")

    static let badVerificationCode = IdentityError(
        .badRequest, "bad_verification_code", 70018,
        "Invalid verification code due to User typing in wrong user code for device code flow. Authorization is not approved.")

    static let deviceCodeRedeemed = IdentityError(
        .badRequest, "invalid_grant", 70000, "Provided grant is invalid or malformed. The device code was already redeemed.")

    // Authorization code.

    static let codeRedeemed = IdentityError(
        .badRequest, "invalid_grant", 54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")

    static let codeExpired = IdentityError(
        .badRequest, "invalid_grant", 70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."
    )

    static let codeForOtherTenant = IdentityError(
        .badRequest, "invalid_grant", 700_005,
        "Provided Authorization Code is intended to use against other tenant, thus rejected.")

    static let verifierMismatch = IdentityError(
        .badRequest, "invalid_grant", 501_481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")

    static func redirectMismatch(_ given: String) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_grant", 50011,
            "The redirect URI '\(given)' specified in the request does not match the redirect URI the authorization code was issued for.")
    }

    static let grantForOtherClient = IdentityError(
        .badRequest, "invalid_grant", 70000, "Provided grant is invalid or malformed. It was issued to another application.")

    // Refresh tokens.

    static let refreshRotated = IdentityError(
        .badRequest, "invalid_grant", 70008,
        "The refresh token has expired or was revoked: a newer refresh token was issued when it was last redeemed. Send a new interactive authorization request for this user and resource."
    )

    static func refreshRevoked(issued: Date, validFrom: Date) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_grant", 50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '\(GraphTimestamp.ticks(issued))' and the TokensValidFrom date (before which tokens are not valid) for this user is '\(GraphTimestamp.ticks(validFrom))'."
        )
    }

    static func refreshIdle(issued: Date, idle: Duration) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_grant", 700_082,
            "The refresh token has expired due to inactivity. The token was issued on \(GraphTimestamp.ticks(issued)) and was inactive for \(Self.timeSpan(idle)).")
    }

    static let grantForOtherTenant = IdentityError(.badRequest, "invalid_grant", 7_000_012, "The grant was obtained for a different tenant.")

    static func notConsented(client: IdentityConfiguration.Client) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_grant", 65001,
            "The user or administrator has not consented to use the application with ID '\(client.id)' named '\(client.name)'. Send an interactive authorization request for this user and resource."
        )
    }

    // Sign-in pages.

    static func redirectNotRegistered(_ redirect: String, clientID: String) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_request", 50011,
            "The redirect URI '\(redirect)' specified in the request does not match the redirect URIs configured for the application '\(clientID)'. A public client may use http://localhost or http://127.0.0.1, on any port."
        )
    }

    static func userNotInTenant(_ upn: String, tenant: String) -> IdentityError {
        IdentityError(
            .badRequest, "invalid_request", 50020,
            "User account '\(upn)' from identity provider '\(upn.split(separator: "@").last ?? "")' does not exist in tenant '\(tenant)' and cannot access the application in that tenant.")
    }

    static func unknownUser(_ user: String) -> IdentityError {
        IdentityError(.badRequest, "invalid_request", 50034, "The user account \(user) does not exist in the directory. To sign into this application, the account must be added to the directory.")
    }

    /// `90.00:00:00`: .NET's `TimeSpan` text, which Microsoft's messages print.
    static func timeSpan(_ duration: Duration) -> String {
        let total = max(Int(duration.components.seconds), 0)
        let days = total / 86_400
        let rest = total % 86_400
        let clock = [rest / 3600, rest % 3600 / 60, rest % 60].map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        return days > 0 ? "\(days).\(clock)" : clock
    }
}
