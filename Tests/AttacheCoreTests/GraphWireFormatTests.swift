import Foundation
import Testing

@testable import AttacheCore

@Suite("Reading what Graph and the upload host send")
struct GraphWireFormatTests {
    @Test func createUploadSessionReplyInCamelCase() throws {
        let json = """
            {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
             "uploadUrl":"https://outlook.office.com/api/v2.0/Users('a@b')/Messages('AAMkADI5MAAIT3drCAAA=')/AttachmentSessions('AAMkADI5MAAIT3k0tAAA=')?authtoken=eyJhbGciOiJSUzI1NiIsImtpZCI6IktmYUNIUlN6bllHMmNI",
             "expirationDateTime":"2019-09-25T01:09:30.7671707Z","nextExpectedRanges":["0-"]}
            """
        let reply = try JSONDecoder().decode(SessionReply.self, from: Data(json.utf8))
        #expect(reply.uploadUrl?.hasSuffix("IktmYUNIUlN6bllHMmNI") == true)
        #expect(reply.expirationDateTime == "2019-09-25T01:09:30.7671707Z")
        #expect(reply.nextExpectedRanges == ["0-"])
    }

    @Test func putReplyInPascalCase() throws {
        let json = """
            {"@odata.context":"https://outlook.office.com/api/v2.0/$metadata#Users('a%40b')/Messages('AAMkADI5MAAIT3drCAAA%3D')/AttachmentSessions/$entity",
             "ExpirationDateTime":"2019-09-25T01:09:30.7671707Z","NextExpectedRanges":["2097152"]}
            """
        let reply = try JSONDecoder().decode(SessionReply.self, from: Data(json.utf8))
        #expect(reply.nextExpectedRanges == ["2097152"])
        #expect(reply.expirationDateTime == "2019-09-25T01:09:30.7671707Z")
        #expect(reply.uploadUrl == nil)
    }

    @Test func keysInAnyCase() throws {
        let reply = try JSONDecoder().decode(SessionReply.self, from: Data(#"{"NEXTEXPECTEDRANGES":["5-9"]}"#.utf8))
        #expect(reply.nextExpectedRanges == ["5-9"])
    }

    @Test func theSeedsLocationGivesTheAttachmentID() {
        let message = "https://outlook.office.com/api/v2.0/Users('a8e8e219-4931-95c1-b73d-62626fd79c32@72aa88bf-76f0-494f-91ab-2d7cd730db47')/Messages('AAMkADI5MAAIT3drCAAA=')/Attachments('AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0=')"
        #expect(AttachmentLocation.attachmentID(from: message) == "AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0=")
        let event = "https://outlook.office.com/api/v2.0/Users('d3b9214b-dd8b-441d-b7dc-c446c9fa0e69@98a79ebe-74bf-4e07-a017-7b410848cb32')/Events('AAMkADU5CCmSAAA=')/Attachments('AAMkADU5CCmSAAANZAlYPeyQByv7Y=')"
        #expect(AttachmentLocation.attachmentID(from: event) == "AAMkADU5CCmSAAANZAlYPeyQByv7Y=")
    }

    @Test func locationsInOtherSpellings() {
        #expect(AttachmentLocation.attachmentID(from: "http://h/x/attachments('AB%3D')") == "AB=")
        #expect(AttachmentLocation.attachmentID(from: "http://h/x/Attachments('it''s')") == "it's")
        #expect(AttachmentLocation.attachmentID(from: "http://h/v1.0/me/messages/M/attachments/AAMk-x_y=") == "AAMk-x_y=")
        #expect(AttachmentLocation.attachmentID(from: "http://h/x/Attachments('')") == nil)
        #expect(AttachmentLocation.attachmentID(from: "http://h/x/Messages('M')") == nil)
        #expect(AttachmentLocation.attachmentID(from: "") == nil)
    }

    @Test func uploadURLsNeverPrintTheirToken() {
        let url = UploadURL("https://outlook.office.com/api/v2.0/Users('u@t')/Messages('M=')/AttachmentSessions('S=')?authtoken=eyJSECRET")
        for text in ["\(url)", String(describing: url), String(reflecting: url), "\([url])"] {
            #expect(!text.contains("eyJSECRET"))
            #expect(!text.contains("'S='"))
        }
        #expect("\(url)".hasSuffix("AttachmentSessions(…)?<redacted>"))
    }

    @Test func rebasingAnEmbeddedURLKeepsPathAndToken() {
        let url = UploadURL("http://127.0.0.1:4000/api/v2.0/Users('u@t')/Events('E=')/AttachmentSessions('S')?authtoken=T")
        #expect(url.rebased(onto: "http://127.0.0.1:5000").secretValue == "http://127.0.0.1:5000/api/v2.0/Users('u@t')/Events('E=')/AttachmentSessions('S')?authtoken=T")
    }

    @Test func graphTimestamps() throws {
        let precise = try #require(GraphDate.parse("2019-09-25T01:09:30.7671707Z"))
        #expect(GraphDate.formatPrecise(precise) == "2019-09-25T01:09:30.7671707Z")
        let plain = try #require(GraphDate.parse("2019-09-24T23:27:43Z"))
        #expect(GraphDate.format(plain) == "2019-09-24T23:27:43Z")
        #expect(plain.timeIntervalSince1970 == 1_569_367_663)
        #expect(GraphDate.parse("2026-11-27T09:00:00.0000000") != nil)
        #expect(GraphDate.parse("2019-09-24T23:27:43+02:00")?.timeIntervalSince1970 == 1_569_360_463)
        #expect(GraphDate.parse("yesterday") == nil)
        #expect(GraphDate.parse("2019-13-01T00:00:00Z") == nil)
    }

    @Test func eventTimesInUTC() {
        let start = DateTimeTimeZone(dateTime: "2026-11-27T09:00:00.0000000", timeZone: "UTC")
        #expect(start.date.map(GraphDate.format) == "2026-11-27T09:00:00Z")
    }

    @Test func idsInPathsAreEscapedButKeepTheirEquals() {
        #expect(GraphClient.escapeSegment("AAMkADI5MAAIT3drCAAA=") == "AAMkADI5MAAIT3drCAAA=")
        #expect(GraphClient.escapeSegment("a/b+c d") == "a%2Fb%2Bc%20d")
        #expect(GraphClient.escapeSegment("AAMk-x_y.~") == "AAMk-x_y.~")
    }

    @Test func origins() {
        #expect(GraphClient.origin(of: "HTTP://127.0.0.1:8080/v1.0/me") == "http://127.0.0.1:8080")
        #expect(GraphClient.origin(of: "https://graph.microsoft.com") == "https://graph.microsoft.com")
    }

    @Test func retryAfterInSecondsOrAsADate() {
        #expect(RetryAfter.parse("7") == .seconds(7))
        #expect(RetryAfter.parse(" 0.5 ") == .milliseconds(500))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)
        let now = Date(timeIntervalSince1970: 1_445_412_450)  // 07:27:30 that day
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Wednesday, 21-Oct-15 07:28:00 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("") == nil)
        #expect(RetryAfter.parse("-5") == nil)
    }

    /// What once trapped converting to Int64, or made attache sleep for years.
    @Test func aRetryAfterOutOfAllProportionIsBounded() {
        for value in ["1e300", "99999999999999999999", "999999", "Fri, 31 Dec 9999 23:59:59 GMT", "inf", "nan", "1" + String(repeating: "0", count: 400)] {
            let parsed = RetryAfter.parse(value)
            #expect(parsed == nil || parsed == RetryAfter.longest, "\(value) → \(String(describing: parsed))")
        }
        #expect(RetryAfter.parse("999999") == RetryAfter.longest)
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT") == RetryAfter.longest)
    }

    @Test func urlsTheHTTPClientCanTake() throws {
        let graph = try HTTPURL(validating: "http://127.0.0.1:8080/v1.0")
        #expect(graph.host == "127.0.0.1" && graph.port == 8080 && graph.scheme == "http")
        #expect(try HTTPURL(validating: "https://graph.microsoft.com/v1.0").port == nil)
        #expect(try HTTPURL(validating: "http://[::1]:9/v1.0").port == 9)
        for bad in [
            "http://127.0.0.1:70000/v1.0", "http://127.0.0.1:99999999999999999999999/x", "http://[::1]:65536/", "http://127.0.0.1:0/",
            "http:///v1.0", "ftp://example.com/", "graph.microsoft.com/v1.0", "http://user:secret@example.com/", "http://h:x/",
        ] {
            #expect(throws: HTTPURL.Problem.self, "\(bad)") { try HTTPURL(validating: bad) }
        }
    }

    @Test func controlCharactersAreEscapedForTheTerminal() {
        #expect("Quarterly report".terminalSafe == "Quarterly report")
        #expect("旅行の写真 Café ☕".terminalSafe == "旅行の写真 Café ☕")
        #expect("\u{1B}]0;pwned\u{07}\u{1B}[2J".terminalSafe == "\\x1b]0;pwned\\x07\\x1b[2J")
        #expect("a\r\nb\tc\u{7F}".terminalSafe == "a\\r\\nb\\tc\\x7f")
        #expect("x\u{9B}31m\u{202E}gpj.exe".terminalSafe == "x\\u{009B}31m\\u{202E}gpj.exe")
        let hostile = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined() + "\u{7F}\u{85}\u{2066}"
        #expect(!hostile.terminalSafe.unicodeScalars.contains { String.needsEscape($0) })
    }
}
