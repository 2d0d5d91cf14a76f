import Foundation

/// What a message says and whom it goes to: what `attache mail` and the screen's `n` put
/// in a draft (and `reply`/`forward` in the one Graph made), before its files are attached.
public struct DraftContent: Hashable, Sendable {
    /// `low`, `normal` or `high`, as Graph spells them.
    public enum Importance: String, Hashable, Sendable, CaseIterable {
        case low, normal, high
    }

    public var to: [EmailAddress]
    public var cc: [EmailAddress]
    public var bcc: [EmailAddress]
    /// `nil` leaves the subject as it is (a reply's `RE: …`).
    public var subject: String?
    /// `nil` leaves the body as it is.
    public var body: String?
    public var isHTML: Bool
    public var importance: Importance?
    /// Send as (or on behalf of) this mailbox: needs Send As or Send on Behalf.
    public var from: EmailAddress?

    public init(
        to: [EmailAddress] = [], cc: [EmailAddress] = [], bcc: [EmailAddress] = [], subject: String? = nil, body: String? = nil,
        isHTML: Bool = false, importance: Importance? = nil, from: EmailAddress? = nil
    ) {
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.subject = subject
        self.body = body
        self.isHTML = isHTML
        self.importance = importance
        self.from = from
    }

    /// Every recipient, to, cc and bcc.
    public var recipients: [EmailAddress] { to + cc + bcc }
}

extension DraftContent {
    /// The JSON Graph takes on `POST /me/messages` and `PATCH`: only what is set (recipients
    /// only when there are some, unless `allRecipients`, which writes them even empty).
    func wire(allRecipients: Bool = true) -> WireDraft {
        let wrap = { (list: [EmailAddress]) in list.map { WireDraft.Recipient(emailAddress: $0) } }
        return WireDraft(
            subject: subject, body: body.map { WireBody(contentType: isHTML ? "html" : "text", content: $0) },
            toRecipients: allRecipients || !to.isEmpty ? wrap(to) : nil,
            ccRecipients: allRecipients || !cc.isEmpty ? wrap(cc) : nil,
            bccRecipients: allRecipients || !bcc.isEmpty ? wrap(bcc) : nil,
            importance: importance?.rawValue, from: from.map { WireDraft.Recipient(emailAddress: $0) })
    }
}

/// A draft's properties as Graph reads them; what is `nil` is left out.
struct WireDraft: Encodable {
    struct Recipient: Encodable {
        var emailAddress: EmailAddress
    }

    var subject: String?
    var body: WireBody?
    var toRecipients: [Recipient]?
    var ccRecipients: [Recipient]?
    var bccRecipients: [Recipient]?
    var importance: String?
    var from: Recipient?
}

extension DraftContent {
    /// `text` written above the quote Graph put in a reply or forward, in the quote's own
    /// type: after `<body>` as HTML (the text escaped, unless it is HTML itself), else as lines.
    public static func text(_ text: String, isHTML: Bool, above quoted: String, quoteIsHTML: Bool) -> String {
        guard quoteIsHTML else { return text + "\n" + quoted }
        let piece = isHTML ? text : "<div>" + escaped(text).replacingOccurrences(of: "\n", with: "<br>") + "</div>"
        if let open = quoted.range(of: "<body", options: .caseInsensitive), let close = quoted[open.upperBound...].firstIndex(of: ">") {
            var merged = quoted
            merged.insert(contentsOf: piece, at: quoted.index(after: close))
            return merged
        }
        return piece + quoted
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
