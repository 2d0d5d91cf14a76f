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
        #expect(GraphClient.parseRetryAfter("7") == .seconds(7))
        #expect(GraphClient.parseRetryAfter("0.5") == .milliseconds(500))
        #expect(GraphClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)
        #expect(GraphClient.parseRetryAfter("soon") == nil)
    }
}
