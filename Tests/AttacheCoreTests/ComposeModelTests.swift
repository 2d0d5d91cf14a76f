import Foundation
import Testing

@testable import AttacheCore

/// Recipients as typed, what a draft's JSON says, a reply's text above Graph's quote, and
/// an inline attachment's POST counted against the 4 MiB.
@Suite("Composing: recipients, drafts, replies")
struct ComposeModelTests {
    @Test func recipientsAsTyped() throws {
        #expect(try EmailAddress(parsing: "ines@contoso.com") == EmailAddress(name: nil, address: "ines@contoso.com"))
        #expect(try EmailAddress(parsing: " Inês Sousa <ines@contoso.com> ") == EmailAddress(name: "Inês Sousa", address: "ines@contoso.com"))
        #expect(try EmailAddress(parsing: "\"Sousa, Inês\" <ines@contoso.com>") == EmailAddress(name: "Sousa, Inês", address: "ines@contoso.com"))
        for bad in ["", "ines", "ines@", "@contoso.com", "ines@contoso", "a b@contoso.com", "Inês <ines@contoso.com", "ines@@contoso.com", "a@b.com\u{1B}[31m"] {
            #expect(throws: RecipientError.self, "\(bad.debugDescription)") { try EmailAddress(parsing: bad) }
        }
        #expect(try EmailAddress.parseList("a@b.com, C <c@d.org>,") == [EmailAddress(name: nil, address: "a@b.com"), EmailAddress(name: "C", address: "c@d.org")])
        #expect(try EmailAddress.parseList("  ").isEmpty)
        // The error names what was typed, escaped for the terminal.
        let error = #expect(throws: RecipientError.self) { try EmailAddress(parsing: "x\u{1B}y") }
        #expect(error?.description.contains("\u{1B}") == false)
    }

    @Test func aDraftsJSONSaysOnlyWhatIsSet() throws {
        let content = DraftContent(
            to: [EmailAddress(name: "A", address: "a@b.com")], subject: "S", body: "<p>x</p>", isHTML: true, importance: .high,
            from: EmailAddress(name: nil, address: "shared@b.com"))
        let encoded = try JSONEncoder().encode(content.wire(allRecipients: false))
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(Set(object.keys) == ["subject", "body", "toRecipients", "importance", "from"])
        #expect((object["body"] as? [String: Any])?["contentType"] as? String == "html")
        #expect(object["importance"] as? String == "high")
        let reply = DraftContent(body: "thanks")
        let replyObject = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(reply.wire(allRecipients: false))) as? [String: Any])
        #expect(Set(replyObject.keys) == ["body"])
    }

    @Test func aRepliesTextGoesAboveTheQuoteInItsType() {
        #expect(DraftContent.text("Hi", isHTML: false, above: "> old", quoteIsHTML: false) == "Hi\n> old")
        #expect(
            DraftContent.text("a < b\nc", isHTML: false, above: "<html><body class=\"x\"><p>old</p></body></html>", quoteIsHTML: true)
                == "<html><body class=\"x\"><div>a &lt; b<br>c</div><p>old</p></body></html>")
        #expect(DraftContent.text("<b>new</b>", isHTML: true, above: "<p>old</p>", quoteIsHTML: true) == "<b>new</b><p>old</p>")
    }

    @Test func anInlinePostCountsItsContentID() throws {
        let plain = AttachmentPostBody(name: "logo.png", contentType: "image/png")
        let inline = AttachmentPostBody(name: "logo.png", contentType: "image/png", contentId: "logo")
        #expect(inline.prefix.contains("\"isInline\":true,\"contentId\":\"logo\""))
        #expect(inline.length(ofFileSize: 100) == plain.length(ofFileSize: 100) + Int64(",\"isInline\":true,\"contentId\":\"logo\"".utf8.count))
        // A file whose plain POST just fits goes by session once its contentId is counted.
        let size = (AttachmentLimits.maximumRequestBody - Int64(plain.prefix.utf8.count) - 2) / 4 * 3
        #expect(try UploadPlan.forFile(size: size, name: "logo.png", contentType: "image/png") == .singleRequest)
        #expect(try UploadPlan.forFile(size: size, name: "logo.png", contentType: "image/png", contentId: "logo") != .singleRequest)
    }
}
