/// Gives the bearer token for Graph requests. Upload URLs never get it.
public protocol AccessTokenProvider: Sendable {
    /// A token valid now.
    func accessToken() async throws -> String

    /// Graph refused `token` (401 `InvalidAuthenticationToken`): a new one to try once
    /// more, or `nil` when there is none to be had.
    func tokenRejected(_ token: String) async throws -> String?
}

extension AccessTokenProvider {
    public func tokenRejected(_ token: String) async throws -> String? { nil }
}

/// A fixed token, from `--token`, `ATTACHE_TOKEN`, or the embedded emulator.
public struct StaticAccessToken: AccessTokenProvider, CustomStringConvertible {
    private let token: String

    public init(_ token: String) {
        self.token = token
    }

    public func accessToken() async throws -> String { token }

    /// Never the token itself.
    public var description: String { "StaticAccessToken(<redacted>)" }
}
