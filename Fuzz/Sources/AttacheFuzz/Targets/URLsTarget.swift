import AsyncHTTPClient
import Foundation
@testable import AttacheCore

/// URLs a server hands attache (an `uploadUrl`, an `@odata.nextLink`) or a user types
/// (`--graph`): `HTTPURL(validating:)`, which stands between them and the HTTP client, and
/// `UploadURL`'s redaction and rebasing.
///
/// Input: the URL.
enum URLsTarget {
    static func run(_ input: FuzzInput) {
        let text = input.text
        if let url = try? HTTPURL(validating: text) {
            expect(url.scheme == "http" || url.scheme == "https", "\(text): scheme \(url.scheme)")
            expect(!url.host.isEmpty, "\(text): no host")
            if let port = url.port { expect((1...65535).contains(port), "\(text): port \(port)") }
            expect(GraphClient.host(of: text) == url.host, "\(text): host(of:) is not \(url.host)")
            // What HTTPURL lets through, the HTTP client takes (it traps on ports it cannot
            // hold), and it goes where HTTPURL says.
            // (A host beyond ASCII is compared by IDNA, which the client applies and HTTPURL does
            // not: `Ж` is `xn--f1a` to one and `ж` to the other.)
            if let request = try? HTTPClient.Request(url: text), url.host.allSatisfy(\.isASCII) {
                expect(request.port == url.port ?? (url.scheme == "https" ? 443 : 80), "\(text): port \(request.port), not \(String(describing: url.port))")
                let brackets = CharacterSet(charactersIn: "[]")
                expect(
                    request.host.lowercased().trimmingCharacters(in: brackets) == url.host.lowercased().trimmingCharacters(in: brackets),
                    "\(text): the client goes to \(request.host), not \(url.host)")
            }
        }
        URLInvariants.checkRedaction(of: text)
        // Rebased onto the emulator's new port, the path and query stay as they were.
        let origin = "http://127.0.0.1:8080"
        let rebased = UploadURL(text).rebased(onto: origin + "/").secretValue
        if let schemeEnd = text.range(of: "://") {
            let afterScheme = text[schemeEnd.upperBound...]
            let path = afterScheme[(afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex)...]
            expect(rebased == origin + path, "\(text) rebased is \(rebased)")
        } else {
            expect(rebased == text, "\(text) has no origin to rebase, yet became \(rebased)")
        }
        _ = GraphClient.origin(of: text)
        _ = GraphClient.pathForLog(text)
    }
}
