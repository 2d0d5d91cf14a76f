import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import AttacheCore

/// What a server or a careless user can hand the core (issue 19), one piece at a time:
/// tokens with control characters, secrets in a server's words, times and budgets out of
/// all proportion, and the rules that tell this upload's attachment from others.
@Suite("Hostile values")
struct HostileValueTests {
    // MARK: Tokens

    @Test(arguments: [
        ("eyJ0eXAi.abc-_~+/=", nil), ("attache-dev-token", nil),
        ("tok\r", UnusableTokenError.Flaw.trailingCarriageReturn), ("", .empty), ("a b", .whitespace(offset: 1)),
        ("ab\u{01}c", .controlCharacter(1, offset: 2)), ("ab\nc", .controlCharacter(10, offset: 2)), ("x\u{7F}", .controlCharacter(0x7F, offset: 1)),
        ("x\u{85}", .controlCharacter(0x85, offset: 1)), ("jeton-é", .nonASCII(offset: 6)), ("tok\r\n", .controlCharacter(13, offset: 3)),
    ] as [(String, UnusableTokenError.Flaw?)])
    func aTokenIsVisibleASCIIOnly(token: String, flaw: UnusableTokenError.Flaw?) {
        #expect(UnusableTokenError.flaw(in: token) == flaw)
    }

    @Test func theRefusalNamesTheSourceNeverTheToken() {
        let error = UnusableTokenError(source: "ATTACHE_TOKEN", flaw: .trailingCarriageReturn)
        #expect(error.description == "the token from ATTACHE_TOKEN ends in a carriage return (a file saved with Windows line endings?); a token is visible ASCII only, so it was not sent")
        #expect(throws: UnusableTokenError.self) { try UnusableTokenError.check("secret\u{1B}", from: "--token") }
    }

    // MARK: Secrets in a server's words

    @Test func anUploadURLRepeatedByTheServerIsScrubbed() {
        let url = "https://outlook.office.com/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('AAMkS1')?authtoken=eyJhbGciOi.eyJzdWIiOi.sig-part"
        let message = "The session \(url) is not valid (authtoken=eyJhbGciOi.eyJzdWIiOi.sig-part)."
        let scrubbed = Redaction.scrub(message, secrets: Redaction.secrets(ofURL: url))
        #expect(!scrubbed.contains("eyJhbGciOi"))
        #expect(!scrubbed.contains("AAMkS1"))
        #expect(scrubbed.hasPrefix("The session <redacted> is not valid"), "\(scrubbed)")
    }

    @Test(arguments: [
        ("Bearer abc.def-ghi was refused", "Bearer <redacted> was refused"),
        ("see https://x/AttachmentSessions('s1')?authtoken=T0K3N&x=1", "see https://x/AttachmentSessions(…)?authtoken=<redacted>&x=1"),
        ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl expired", "token <redacted> expired"),
        ("access_token=abc123&refresh_token=def", "access_token=<redacted>&refresh_token=<redacted>"),
        ("The item was not found.", "The item was not found."),
    ])
    func secretShapesAreScrubbedWithoutKnowingThem(text: String, expected: String) {
        #expect(Redaction.scrub(text) == expected)
    }

    /// Found by the fuzzer: one session's key inside another's was scrubbed in two goes.
    @Test func scrubbingTwiceChangesNothingMore() {
        let text = "upstreAttachmentSessions('ffice.com/api/v2.0/AttachmentSessions('AAMk')?auuhtoken=eyJ0b2tlbg</body>"
        let once = Redaction.scrub(text)
        #expect(Redaction.scrub(once) == once, "\(once)")
        #expect(!once.contains("AAMk"))
    }

    @Test func aGraphErrorBodyRepeatingTheTokenIsScrubbed() {
        let body = #"{"error":{"code":"InvalidAuthenticationToken","message":"Token my-opaque-token-value is expired."}}"#
        let reply = GraphClient.Reply(status: 401, headers: [:], body: .init(string: body))
        let error = GraphClient.errorFromReply(reply, operation: "list messages", secrets: ["my-opaque-token-value"])
        #expect(error.message == "Token <redacted> is expired.")
        #expect(!error.description.contains("my-opaque-token-value"))
    }

    // MARK: Numbers out of all proportion

    @Test(arguments: [Double.greatestFiniteMagnitude, 9.3e18, -9.3e18, .nan, .infinity])
    func anyDateFormatsWithoutTrapping(seconds: Double) {
        let text = GraphDate.format(Date(timeIntervalSince1970: seconds))
        #expect(text.count == 20, "\(text)")
        #expect(TransferFormat.clock(seconds).count <= 8)
    }

    @Test func httpDatesAreRead() {
        #expect(GraphDate.parseHTTP("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        for bad in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 36 Nov 1994 08:49:37 GMT", ""] {
            #expect(GraphDate.parseHTTP(bad) == nil, "\(bad)")
        }
    }

    /// A huge interval is a wait until the code expires, not an overflow, and an expired
    /// code is not polled (the platform's own answers are the end-to-end tests' part).
    @Test func anIntervalOutOfAllProportionWaitsOnlyUntilTheCodeExpires() async throws {
        let interval = Int.max
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let client = OAuthClient(
            settings: SignInSettings(authority: "http://127.0.0.1:9"), http: HTTPClient.shared, logger: Logger(label: "test"),
            now: { clock.withLock { $0 } })
        let code = OAuthClient.DeviceCode(
            userCode: "ABCD", deviceCode: "d", verificationURI: "https://microsoft.com/devicelogin",
            expiresAt: Date(timeIntervalSince1970: 1_000_012), interval: interval)
        let slept = Mutex<[Duration]>([])
        await #expect(throws: SignInError.self) {
            _ = try await client.pollDeviceCode(code) { duration in
                slept.withLock { $0.append(duration) }
                clock.withLock { $0 = $0.addingTimeInterval(duration.seconds) }
            }
        }
        let waits = slept.withLock { $0 }
        #expect(waits.reduce(Duration.zero, +) <= .seconds(12), "\(waits)")
        #expect(waits.allSatisfy { $0 <= .seconds(60) })
    }

    // MARK: Telling this upload's attachment from others

    static let since = Date(timeIntervalSince1970: 1_800_000_000)

    static func attachment(_ id: String, name: String = "report.bin", size: Int64 = 5_000_000, at offset: TimeInterval) -> AttachmentInfo {
        AttachmentInfo(id: id, name: name, size: size, lastModifiedDateTime: GraphDate.formatPrecise(since.addingTimeInterval(offset)))
    }

    @Test func onlyAnAttachmentMadeAfterTheStartOnGraphsClockAndNotThereBeforeIsTaken() {
        let search = AttachmentSearch(name: "report.bin", minimumSize: 5_000_000, excluded: ["OLD"], createdSince: Self.since)
        #expect(search.admits(Self.attachment("NEW", at: 2)))
        #expect(search.admits(Self.attachment("ROUNDED", at: -0.5)), "a time rounded down to the second")
        #expect(!search.admits(Self.attachment("OLD", at: 5)), "there before, whatever its time")
        #expect(!search.admits(Self.attachment("EARLIER", at: -60)))
        #expect(!search.admits(Self.attachment("NEW", name: "other.bin", at: 2)))
        #expect(!search.admits(Self.attachment("NEW", size: 4_999_999, at: 2)))
        // Nothing known of what was there or of Graph's time: nothing can be told apart.
        #expect(!AttachmentSearch(name: "report.bin", minimumSize: 1).admits(Self.attachment("ANY", at: 0)))
        #expect(AttachmentSearch(name: "report.bin", minimumSize: 1, excluded: []).admits(Self.attachment("ANY", at: -3600)))
    }

    @Test func graphsClockIsBoundedFromItsDateHeader() {
        let clock = ServerClock()
        let sent = ContinuousClock.now
        #expect(clock.earliestServerTime(at: sent) == nil)
        clock.observe(dateHeader: "Sun, 06 Nov 1994 08:49:37 GMT", receivedAt: sent + .milliseconds(250))
        let bound = try! #require(clock.earliestServerTime(at: sent))
        #expect(abs(bound.timeIntervalSince1970 - (784_111_777 - 0.25)) < 0.001)
    }
}
