import Foundation
import NIOCore
import NIOHTTP1
@testable import AttacheCore

/// A refusal as Graph (or a proxy in front of it) writes it, and the `GraphError` attache
/// makes of it: `GraphClient.errorFromReply`.
///
/// Input: written as a reply is, after the status line: the status (`429`), then headers
/// (`Retry-After: 1`), one a line, then an empty line and the body.
enum GraphErrorTarget {
    static func run(_ input: FuzzInput) {
        let (status, headers, body) = reply(from: input.bytes)
        let error = GraphClient.errorFromReply(
            .init(status: status, headers: headers, body: ByteBuffer(bytes: body)), operation: "fuzz", secrets: Fixtures.secrets)
        expect(error.kind == .status(status), "status \(status) read as \(error.kind)")
        if let id = headers.first(name: "request-id") {
            expect(error.requestID == Redaction.scrub(id, secrets: Fixtures.secrets), "request-id \(id) read as \(String(describing: error.requestID))")
        }
        if let retryAfter = error.retryAfter {
            expect(retryAfter >= .zero && retryAfter <= RetryAfter.longest, "Retry-After read as \(retryAfter)")
        }
        if (300..<400).contains(status) {
            expect(error.message == "the server redirected the request", "a redirect's message is \(String(describing: error.message))")
        }
        let text = String(decoding: body, as: UTF8.self)
        // (A body that JSON could read as an object is left out: its message is Graph's.)
        if !(300..<400).contains(status), !body.isEmpty, !text.drop(while: { " \t\r\n".contains($0) }).hasPrefix("{") {
            // A body that is not Graph's JSON is shown as a short excerpt: one line, and no
            // query of an upload URL in it.
            let message = error.message ?? ""
            expect(!message.contains(where: \.isNewline), "the excerpt \(message.debugDescription) spans lines")
            if let query = message.firstIndex(of: "?") {
                expect(message[query...] == "?<redacted>", "the excerpt \(message.debugDescription) keeps a query")
            }
        }
        // Whatever the server repeats of the upload URL or the token, none of it shows.
        for shown in [error.description, error.message ?? "", error.code ?? "", error.requestID ?? ""] {
            for secret in Fixtures.secrets where secret.count >= 8 {
                expect(!shown.contains(secret), "\(shown.debugDescription) shows the secret \(secret)")
            }
        }
        checkScrub(String(decoding: body, as: UTF8.self))
        // Everything said of it can be said.
        _ = error.description
        _ = error.hint
        _ = error.requestFailure.isRetryable
        _ = error.requestFailure.isOutage
        _ = error.requestFailure.isThrottling
    }

    /// `Redaction.scrub` on any text: no known secret survives it, and it changes nothing
    /// more when run again.
    static func checkScrub(_ text: String) {
        let scrubbed = Redaction.scrub(text, secrets: Fixtures.secrets)
        for secret in Fixtures.secrets where secret.count >= 8 {
            expect(!scrubbed.contains(secret), "\(scrubbed.debugDescription) still holds \(secret)")
        }
        expect(Redaction.scrub(scrubbed, secrets: Fixtures.secrets) == scrubbed, "\(scrubbed.debugDescription) scrubs further")
    }

    /// Status, headers and body, from the input's lines.
    static func reply(from bytes: [UInt8]) -> (Int, HTTPHeaders, [UInt8]) {
        var rest = bytes[...]
        func line() -> String? {
            guard !rest.isEmpty else { return nil }
            let end = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let text = String(decoding: rest[..<end], as: UTF8.self)
            rest = end < rest.endIndex ? rest[(end + 1)...] : rest[end...]
            return text
        }
        let statusLine = line() ?? ""
        let status = Int(statusLine.prefix(3).filter(\.isASCII).filter(\.isNumber)) ?? 400
        var headers = HTTPHeaders()
        while let header = line(), !header.isEmpty {
            // NIO's parser takes only ASCII names (and traps on others when handed one).
            guard let colon = header.firstIndex(of: ":"), header[..<colon].allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { continue }
            headers.add(name: String(header[..<colon]), value: header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (status, headers, Array(rest))
    }
}
