import Foundation

/// What a sign-in or a refresh gives: secrets, so `description` never shows them.
public struct TokenSet: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessToken: String
    /// Rotates: every refresh gives a new one, and only the newest is kept.
    public var refreshToken: String?
    public var expiresAt: Date
    public var scopes: [String]
    /// Who signed in, from the ID token's `preferred_username`.
    public var username: String?
    /// The display name from the ID token.
    public var displayName: String?
    /// The tenant the ID token names (`tid`).
    public var tenantID: String?

    public init(
        accessToken: String, refreshToken: String?, expiresAt: Date, scopes: [String], username: String? = nil,
        displayName: String? = nil, tenantID: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.username = username
        self.displayName = displayName
        self.tenantID = tenantID
    }

    /// Whether the access token will still be good `margin` from now.
    public func isFresh(for margin: TimeInterval, now: Date = Date()) -> Bool {
        expiresAt.timeIntervalSince(now) > margin
    }

    public var description: String {
        "TokenSet(user: \(username ?? "?"), expires: \(GraphDate.format(expiresAt)), refresh: \(refreshToken == nil ? "no" : "yes"), <tokens redacted>)"
    }

    public var debugDescription: String { description }
}
