import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// `POST /me/messages/{id}/createReply`, `createReplyAll` and `createForward`: a new draft
    /// (201, the draft as its body) that answers the message, as Graph makes one: `RE:` or
    /// `FW:` before the subject; a reply goes to the sender, a reply to all to the sender and
    /// every recipient but oneself, a forward to the `toRecipients` given (none otherwise);
    /// the original is quoted in the body. A forward carries the original's attachments, a
    /// reply does not.
    ///
    /// The `comment` is accepted and, as on Graph when a body is read back (the known issue
    /// the design notes), does not reach the draft's body: a client PATCHes the body it wants.
    func createResponse(_ request: Request, mailbox: GraphRoute.Mailbox, id: String, response: ResponseKind, grant: Grant) async throws -> Response {
        let (owner, original) = try await item(mailbox, .message, id, grant: grant, write: true)
        let body = try await readOptionalJSON(request)
        let people = original.people
        let me = owner.userPrincipalName.lowercased()
        let sender = people.from ?? ItemPeople.Person(name: owner.displayName, address: owner.userPrincipalName)
        var draftPeople = ItemPeople()
        draftPeople.bodyType = people.bodyType
        switch response {
        case .reply:
            draftPeople.to = [sender]
        case .replyAll:
            var seen = Set<String>()
            let everyone = [sender] + people.to
            draftPeople.to = everyone.filter { $0.address.lowercased() != me || $0 == sender }.filter { seen.insert($0.address.lowercased()).inserted }
            draftPeople.cc = people.cc.filter { $0.address.lowercased() != me && seen.insert($0.address.lowercased()).inserted }
        case .forward:
            break
        }
        // Recipients given with the request, at its top (createForward's `toRecipients`) or in its `message`.
        for source in [body, body?.value(forKeyIgnoringCase: "message")].compactMap({ $0 }) {
            if let to = source.value(forKeyIgnoringCase: "toRecipients") { draftPeople.to = try Self.recipients(to, property: "toRecipients") }
            if let cc = source.value(forKeyIgnoringCase: "ccRecipients") { draftPeople.cc = try Self.recipients(cc, property: "ccRecipients") }
        }
        let prefix = response == .forward ? "FW: " : "RE: "
        let subject = original.subject.lowercased().hasPrefix(prefix.lowercased()) ? original.subject : prefix + original.subject
        let header = "From: \(sender.name) <\(sender.address)>\nSubject: \(original.subject)"
        let quoted: String
        if people.isHTML {
            quoted = "<html><body><div><br></div><hr><div>\(BodyText.html(fromText: header))</div>\(original.bodyContent)</body></html>"
        } else {
            quoted = "\n\n________________________________\n\(header)\n\n\(original.bodyContent)"
        }
        let now = Date()
        var draft = ItemRow(
            id: EmulatorIDs.item(), ownerID: owner.id, kind: ItemKind.message.rawValue, subject: subject, bodyContent: quoted,
            createdAt: now, modifiedAt: now, receivedAt: now, isDraft: true, startAt: nil, endAt: nil, location: nil, recipients: nil)
        draft.people = draftPeople
        try await store.insert(item: draft)
        var count = 0
        if response == .forward {
            for attachment in try await store.attachments(itemID: original.id) {
                var copy = attachment
                copy.id = EmulatorIDs.attachment()
                copy.itemID = draft.id
                copy.blobName = EmulatorIDs.randomHex(bytes: 16)
                try FileManager.default.copyItem(atPath: store.blobPath(attachment.blobName), toPath: store.blobPath(copy.blobName))
                try await store.insert(attachment: copy)
                count += 1
            }
        }
        let rendered = ItemRendering.json(draft, owner: owner, attachmentCount: count)
        let context = "\(origin(of: request))/v1.0/$metadata#users('\(Self.escapeKey(owner.id))')/messages/$entity"
        return json(prependingContext(context, to: rendered), status: .created)
    }

    /// A JSON object body, or `nil` when the request has none (createReply may have none).
    func readOptionalJSON(_ request: Request) async throws -> JSONValue? {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        guard buffer.readableBytes > 0 else { return nil }
        guard let value = JSONValue.parse(Data(buffer.readableBytesView)), case .object = value else {
            throw GraphErrorResponse.badRequest("The request body is not a JSON object.")
        }
        return value
    }
}
