/// Which endpoint of the identity origin a path names, as on `login.microsoftonline.com`:
///
/// - `/{tenant}/oauth2/v2.0/devicecode`, `/{tenant}/oauth2/v2.0/token`, `/{tenant}/oauth2/v2.0/authorize`;
/// - `/{tenant}/v2.0/.well-known/openid-configuration` (the discovery document);
/// - `/devicelogin`, the page a person enters a user code on (the `verification_uri`);
/// - `/_emulator/…`, the emulator's own test API.
enum IdentityRoute: Hashable, Sendable {
    case deviceCode(tenant: String)
    case token(tenant: String)
    case authorize(tenant: String)
    case discovery(tenant: String)
    case verification
    case control([String])

    static let verificationPath = "/devicelogin"

    static func parse(_ rawPath: String) -> IdentityRoute? {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map { GraphRoute.percentDecode(String($0)) }
        guard let first = segments.first else { return nil }
        if first == "_emulator" { return .control(Array(segments.dropFirst())) }
        if segments.count == 1, first.lowercased() == "devicelogin" { return .verification }
        let rest = segments.dropFirst().map { $0.lowercased() }
        switch rest {
        case ["oauth2", "v2.0", "devicecode"]: return .deviceCode(tenant: first)
        case ["oauth2", "v2.0", "token"]: return .token(tenant: first)
        case ["oauth2", "v2.0", "authorize"]: return .authorize(tenant: first)
        case ["v2.0", ".well-known", "openid-configuration"]: return .discovery(tenant: first)
        default: return nil
        }
    }
}
