import AsyncHTTPClient
import Foundation
import Logging
@testable import AttacheCore

/// The clients the targets call into, made once. None of them ever sends a request: the
/// Graph client's credentials refuse before anything would go out, and only parsing and
/// checking code is called on the others.
enum Fixtures {
    static let logger = Logger(label: "attache.fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    static let http = GraphClient.makeHTTPClient()
    /// The Graph root the targets' clients stand for.
    static let graphBase = "https://graph.microsoft.com/v1.0"
    static let graph = GraphClient(baseURL: graphBase, http: http, credentials: RefusingCredentials(), logger: logger)
    /// Pointed at a closed loopback port, in case a change ever made it send.
    static let oauth = OAuthClient(settings: SignInSettings(authority: "http://127.0.0.1:9"), http: http, logger: logger, now: { now })
    /// A fixed moment, so a target gives the same answer for the same input every time.
    static let now = Date(timeIntervalSince1970: 1_764_064_380)  // 2025-11-25T09:53:00Z
    /// An upload URL and a bearer token attache would hold: the secrets no message may show.
    static let uploadURL =
        "https://outlook.office.com/api/v2.0/Users('a8e8e219-4931-95c1-b73d-62626fd79c32@72aa88bf-76f0-494f-91ab-2d7cd730db47')/Messages('AAMkADI5MAAIT3drCAAA=')/AttachmentSessions('AAMkADI5MAAIT3k0tAAA=')?authtoken=eyJhbGciOiJSUzI1NiIsImtpZCI6IktmYUNIUlN6bllHMmNI"
    static let bearerToken = "eW1.d17zYyc6-dAzLuBt7bH0Ub2b1Ii9lV9ZsGGy2vEsXWw"
    static let secrets = Redaction.secrets(ofURL: uploadURL) + [bearerToken]
}

/// The token a request would carry, had the checks before it let it go: thrown instead, so
/// a target learns that the request would have gone out, and none does.
struct WouldSendToken: Error, CustomStringConvertible {
    static let marker = "fuzz: the request would have gone out with the token"
    var description: String { Self.marker }
}

struct RefusingCredentials: AccessTokenProvider {
    func accessToken() async throws -> String { throw WouldSendToken() }
}
