import Foundation
import Testing

@testable import AttacheCore

/// The pure parts of the workflow around an attachment: how people and bodies read, how
/// searches are written, and what the refusals say.
@Suite("Workflow models")
struct WorkflowModelTests {
    @Test func emailAddressesReadAsPeopleWrite() {
        #expect(EmailAddress(name: "Inês Sousa", address: "ines@contoso.test").display == "Inês Sousa <ines@contoso.test>")
        #expect(EmailAddress(name: "ines@contoso.test", address: "INES@contoso.test").display == "ines@contoso.test")
        #expect(EmailAddress(name: " ", address: "ines@contoso.test").display == "ines@contoso.test")
        #expect(EmailAddress(name: "Inês", address: nil).display == "Inês")
        #expect(EmailAddress(name: nil, address: "").display == "(unknown)")
    }

    @Test func htmlBodiesReadAsText() {
        let html = """
            <html><head><title>x</title><style>p { color: red }</style></head>
            <body><p>Hi&nbsp;Inês,</p><!-- a note -->
            <p>Q3 &amp; Q4<br/>figures &lt;attached&gt;&#33; caf&eacute; &#x2615;</p>
            <ul><li>one</li><li>two</li></ul>


            <div>Best</div></body></html>
            """
        #expect(HTMLText.plain(html) == "Hi Inês,\nQ3 & Q4\nfigures <attached>! café ☕\n\n• one\n• two\nBest")
        #expect(HTMLText.tidy("a\r\n\r\n\r\nb  \r\n") == "a\n\nb")
        #expect(HTMLText.decodeEntities("AT&T &unknown; &") == "AT&T &unknown; &")
    }

    @Test func searchesAreQuotedAndEscaped() {
        #expect(GraphClient.searchPhrase("café menu") == #""café menu""#)
        #expect(GraphClient.searchPhrase(#"say "hi" \o/"#) == #""say \"hi\" \\o/""#)
        #expect(GraphClient.containsSubject("d'équipe") == "contains(subject,'d''équipe')")
    }

    @Test func refusalsSayWhatToDo() {
        let item = ItemReference.message("AAMkADI5MAAIT3drCAAA=")
        #expect(
            ItemActionError(.notADraft, item: item, subject: "Café\u{1B}[31m").description
                == "\"Café\\x1b[31m\" (message AAMkADI5MAAIT3drCAAA=) is not a draft: only drafts can be sent; reply to it or forward it in Outlook instead")
        #expect(ItemActionError(.noAttendees, item: .event("E")).description == "event E has no attendees, so there is no one to send an update to")
        #expect(ItemActionError(.notOrganizer, item: .event("E"), subject: "Budget").description.hasSuffix("ask them to send the update"))
    }

    /// Items saved before `from` existed still decode; new ones keep it.
    @Test func outlookItemsKeepTheirCodableForm() throws {
        let old = #"{"id":"A","kind":"message","subject":"Hi","isDraft":true}"#
        let decoded = try JSONDecoder().decode(OutlookItem.self, from: Data(old.utf8))
        #expect(decoded.from == nil)
        #expect(decoded.subject == "Hi")
        var item = decoded
        item.from = EmailAddress(name: "José", address: "jose@contoso.test")
        let again = try JSONDecoder().decode(OutlookItem.self, from: JSONEncoder().encode(item))
        #expect(again == item)
    }

    @Test func attendeesAnswerInAFewWords() {
        let person = EmailAddress(name: "Ken", address: "ken@contoso.test")
        #expect(Attendee(emailAddress: person, type: "required", response: "tentativelyAccepted").responseText == "tentative")
        #expect(Attendee(emailAddress: person, response: "none").responseText == "no answer")
        #expect(Attendee(emailAddress: person).name == "Ken")
    }
}
