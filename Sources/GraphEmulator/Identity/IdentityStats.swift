/// What crossed the identity endpoints, for `GET /_emulator/identity/stats`: a test proves
/// with these that a client polled at its pace, refreshed once, kept the rotated token.
struct IdentityStats: Sendable {
    var deviceCodeRequests = 0
    var authorizeRequests = 0
    /// Token requests by grant type: `device_code`, `authorization_code`, `refresh_token`
    /// (others by the `grant_type` sent).
    var tokenRequests: [String: Int] = [:]
    /// Successful token replies.
    var tokensIssued = 0
    var deviceCodePolls = 0
    var pendingReplies = 0
    var slowDownReplies = 0
    /// Refresh token grants answered with tokens, and refused.
    var refreshes = 0
    var refusedRefreshes = 0
    /// Graph requests refused because their access token had expired.
    var expiredTokenRejections = 0
    /// Error replies by OAuth `error`.
    var errors: [String: Int] = [:]

    static func grantName(_ grantType: String) -> String {
        switch grantType {
        case "urn:ietf:params:oauth:grant-type:device_code": "device_code"
        default: grantType
        }
    }

    var json: JSONValue {
        .object([
            ("deviceCodeRequests", .int(Int64(deviceCodeRequests))),
            ("authorizeRequests", .int(Int64(authorizeRequests))),
            ("tokenRequests", Self.counts(tokenRequests)),
            ("tokensIssued", .int(Int64(tokensIssued))),
            ("deviceCodePolls", .int(Int64(deviceCodePolls))),
            ("pendingReplies", .int(Int64(pendingReplies))),
            ("slowDownReplies", .int(Int64(slowDownReplies))),
            ("refreshes", .int(Int64(refreshes))),
            ("refusedRefreshes", .int(Int64(refusedRefreshes))),
            ("expiredTokenRejections", .int(Int64(expiredTokenRejections))),
            ("errors", Self.counts(errors)),
        ])
    }

    private static func counts(_ values: [String: Int]) -> JSONValue {
        .object(values.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })
    }
}
