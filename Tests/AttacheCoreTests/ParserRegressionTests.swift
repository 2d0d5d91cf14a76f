import Foundation
import Logging
import Testing

@testable import AttacheCore

/// Inputs the fuzz targets of `Fuzz/` found to crash attache or get a wrong answer, each
/// kept in `Fuzz/Regressions/TARGET/` too; here they run with every `make test`.
@Suite("Inputs the fuzz targets found")
struct ParserRegressionTests {
    /// retry-after: an `S`, a combining mark and bytes that are not UTF-8 (read as U+FFFD)
    /// trapped in Foundation's DateFormatter ("Incorrect range CFRange") while attache looked
    /// for an HTTP date in it (Fuzz/Regressions/retry-after/combining-marks).
    @Test func aRetryAfterBeyondASCIIIsNoDate() {
        let header = String(decoding: [0x53, 0xCC, 0xAC] + Array(repeating: UInt8(0xAC), count: 15), as: UTF8.self)
        #expect(RetryAfter.parse(header) == nil)
        #expect(RetryAfter.parse("Tue, 25 Nov 2025 10:53:00 GMT", now: Date(timeIntervalSince1970: 1_764_064_380)) == .seconds(3600))
    }

    /// oauth: an error reply with no `error_description` and an `error` of several lines
    /// made a message of several lines, where the description's first line alone is kept
    /// (Fuzz/Regressions/oauth/error-on-two-lines.json).
    @Test func aSignInRefusalIsOneLineWhicheverFieldSaysIt() {
        let refusal = SignInError.fromReply(error: "invalid_grant\r\nTrace ID: 1", description: nil, status: 400)
        #expect(refusal.message == "invalid_grant")
        #expect(refusal.kind == .refused)
        let described = SignInError.fromReply(error: "invalid_grant", description: "AADSTS70008: The code expired.\r\nTrace ID: 2", status: 400)
        #expect(described.message == "The code expired.")
        #expect(SignInError.fromReply(error: nil, description: "\n", status: 503).message == "HTTP 503")
    }
}
