import Foundation
import Logging

/// The access token of a signed-in account, kept fresh: refreshed a little before it
/// expires, and once more when Graph refuses it (``tokenRejected(_:)``). Each refresh's new
/// refresh token replaces the old one in the store at once, since the old one stops working.
///
/// Refreshes are one at a time: concurrent requests wait for the same one. Another attache
/// process may have refreshed meanwhile, so the store is read again before refreshing.
public actor RefreshingAccessToken: AccessTokenProvider {
    public let account: Account
    private var tokens: TokenSet
    private let client: OAuthClient
    private let store: any TokenStore
    private let logger: Logger
    private var refreshing: Task<TokenSet, any Error>?

    /// A token expiring within this is refreshed first.
    static let margin: TimeInterval = 120

    public init(account: Account, tokens: TokenSet, client: OAuthClient, store: any TokenStore, logger: Logger) {
        self.account = account
        self.tokens = tokens
        self.client = client
        self.store = store
        self.logger = logger
    }

    public func accessToken() async throws -> String {
        if tokens.isFresh(for: Self.margin) { return tokens.accessToken }
        return try await refresh(replacing: tokens.accessToken).accessToken
    }

    /// Graph said `token` is not valid (expired early, revoked): refresh, unless that was
    /// done since it was handed out, and give the new one for one more try.
    public func tokenRejected(_ token: String) async throws -> String? {
        try await refresh(replacing: token).accessToken
    }

    private func refresh(replacing token: String) async throws -> TokenSet {
        if tokens.accessToken != token, tokens.isFresh(for: 0) { return tokens }
        if let refreshing { return try await refreshing.value }
        let task = Task { [account, client, store, logger, tokens] () throws -> TokenSet in
            // Another attache may have refreshed already; its refresh token is the live one.
            let stored = try? store.load(account)
            if let stored, stored.accessToken != tokens.accessToken, stored.isFresh(for: Self.margin) {
                return stored
            }
            let current = stored ?? tokens
            guard let refreshToken = current.refreshToken else {
                throw SignInError(.signInAgain, message: "the sign-in of \(account.username) has expired and cannot be renewed")
            }
            logger.info("refreshing the access token", metadata: ["account": "\(account.username)"])
            var fresh = try await client.refresh(refreshToken)
            if fresh.username == nil { fresh.username = current.username }
            if fresh.displayName == nil { fresh.displayName = current.displayName }
            try store.save(fresh, for: account)
            return fresh
        }
        refreshing = task
        defer { refreshing = nil }
        do {
            tokens = try await task.value
            return tokens
        } catch let error as SignInError where error.kind == .signInAgain {
            throw SignInError(
                .signInAgain, error: error.error, aadsts: error.aadsts,
                message: "the sign-in of \(account.username) is no longer valid (\(error.message))")
        }
    }
}
