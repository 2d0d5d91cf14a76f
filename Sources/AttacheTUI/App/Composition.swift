import AttacheCore

/// A message being written on the screen: a new one (`n`), a reply (`r`) or a forward
/// (`f`), with the recipients typed so far. Its body comes from `$VISUAL` or `$EDITOR`.
public struct Composition: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case new(subject: String)
        case reply(ItemReference, subject: String)
        case forward(ItemReference, subject: String)
    }

    public var kind: Kind
    public var to: [EmailAddress]

    public init(kind: Kind, to: [EmailAddress]) {
        self.kind = kind
        self.to = to
    }

    /// The subject it will have (a reply's and a forward's are Graph's: `RE:`, `FW:`).
    public var title: String {
        switch kind {
        case .new(let subject): subject
        case .reply(_, let subject): "RE: " + subject
        case .forward(_, let subject): "FW: " + subject
        }
    }
}

extension GraphClient {
    /// Makes the draft a composition describes, with `body` as its text.
    public func makeDraft(_ composition: Composition, body: String) async throws -> OutlookItem {
        let content = DraftContent(to: composition.to, body: body)
        switch composition.kind {
        case .new(let subject):
            var new = content
            new.subject = subject
            return try await createDraft(new)
        case .reply(let message, _):
            return try await answer(.reply, to: message, with: content)
        case .forward(let message, _):
            return try await answer(.forward, to: message, with: content)
        }
    }
}
