import Foundation

/// One device authorization (RFC 8628): the codes handed out, the user's decision, and how
/// the client has polled. The device code itself is kept only as a SHA-256.
struct DeviceCodeGrant: Sendable {
    enum Status: Sendable {
        case pending
        case approved(UserRow)
        case declined
        /// Approved, and its tokens handed out: the device code is spent.
        case redeemed
    }

    var deviceCodeHash: String
    var userCode: String
    var clientID: String
    /// The tenant segment of the devicecode request, lowercased: polling must use the same.
    var tenant: String
    var scopes: ScopeSet
    var issuedAt: Date
    var expiresAt: Date
    /// The least gap between polls now required: `interval`, plus 5 s for each `slow_down`.
    var interval: TimeInterval
    var status: Status = .pending
    var polls = 0
    var slowDowns = 0
    var lastPollAt: Date?
    /// The shortest time seen between two polls, so a test can check the client's pace.
    var shortestGap: TimeInterval?

    var statusName: String {
        switch status {
        case .pending: "pending"
        case .approved: "approved"
        case .declined: "declined"
        case .redeemed: "redeemed"
        }
    }
}

/// A code `authorize` handed out, waiting to be redeemed once at the token endpoint.
struct AuthorizationCodeGrant: Sendable {
    var codeHash: String
    var clientID: String
    var tenant: String
    var redirectURI: String
    var scopes: ScopeSet
    /// `BASE64URL(SHA256(code_verifier))`, as the client sent it.
    var codeChallenge: String
    var nonce: String?
    var user: UserRow
    var expiresAt: Date
    var redeemed = false
}

/// A refresh token, kept as a SHA-256. Each one is used once: redeeming it issues the next
/// of its family (one sign-in) and retires it.
struct RefreshTokenRecord: Sendable {
    enum State: Sendable, Equatable {
        case live
        /// Redeemed: a newer token of the family replaced it.
        case rotated
        /// Revoked (a control request, as when a user's sessions are revoked).
        case revoked(at: Date)
    }

    var hash: String
    /// The sign-in it descends from.
    var family: String
    var user: UserRow
    var clientID: String
    /// The tenant segment of the sign-in, lowercased: a refresh through another is refused.
    var tenant: String
    /// What the sign-in was granted; a refresh may ask for less, never more.
    var scopes: ScopeSet
    var signedInAt: Date
    var issuedAt: Date
    var state: State = .live
}

/// An access token Graph accepts until `expiresAt`, kept as a SHA-256.
struct AccessTokenRecord: Sendable {
    var user: UserRow
    var scopes: Set<String>
    var clientID: String
    var family: String
    var expiresAt: Date
}

/// Tokens just issued, to be written into a token reply (and nowhere else).
struct IssuedTokens: Sendable {
    var accessToken: String
    var refreshToken: String?
    var expiresIn: Int
    var scopes: ScopeSet
    var user: UserRow
    var clientID: String
}
