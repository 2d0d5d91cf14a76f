import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// `POST /me/messages/{id}/send`: sends a draft. `202 Accepted`, no body. As on
    /// Exchange, the message moves to Sent Items and so gets a new id (the draft's then
    /// answers 404), with `sentDateTime` set. Needs `Mail.Send` (`Mail.Send.Shared` for a
    /// mailbox one is a delegate of); a message that is not a draft, or one without a
    /// recipient, is refused with 400.
    func sendMessage(_ request: Request, mailbox: GraphRoute.Mailbox, id: String, grant: Grant) async throws -> Response {
        let owner = try await sender(of: mailbox, grant: grant)
        guard let draft = try await store.item(id: id, owner: owner.id, kind: .message) else {
            throw GraphErrorResponse.notFound()
        }
        guard draft.isDraft else {
            throw GraphErrorResponse.badRequest(
                "Only a draft can be sent: this message has already been sent or was received. Reply or forward it instead.")
        }
        let people = draft.people
        guard !(people.to.isEmpty && people.cc.isEmpty && (people.bcc ?? []).isEmpty) else {
            throw GraphErrorResponse.badRequest(
                "At least one recipient isn't valid., A message can't be sent because it contains no recipients.", code: "ErrorInvalidRecipients")
        }
        if let from = people.from, from.address.lowercased() != owner.userPrincipalName.lowercased() {
            // Send As or Send on Behalf of another mailbox: only its delegates may (Exchange's
            // SendAs right), and Graph says so only when the message is submitted.
            let delegates = configuration.delegates[from.address.lowercased()] ?? []
            guard delegates.contains(grant.user.userPrincipalName.lowercased()) else {
                throw GraphErrorResponse(
                    .forbidden, "ErrorSendAsDenied",
                    "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message."
                )
            }
        }
        // A limit lowered since the files went on, or a body grown past it: not sent.
        try await checkMessageSize(of: draft, adding: 0)
        let attachments = try await store.attachments(itemID: draft.id)
        var carried: [SentMessage.Attachment] = []
        for row in attachments {
            carried.append(
                .init(name: row.name, size: row.size, sha256: try await Self.sha256Hex(ofFile: store.blobPath(row.blobName)), isInline: row.isInline, contentId: row.contentId))
        }
        let sent = try await store.send(draft, newID: EmulatorIDs.item(), at: GraphTimestamp.storable(Date()))
        let record = SentMessage(
            id: sent.id, subject: draft.subject, from: (people.from ?? .init(name: owner.displayName, address: owner.userPrincipalName)).address,
            to: people.to.map(\.address), cc: people.cc.map(\.address), bcc: (people.bcc ?? []).map(\.address), bodyType: people.bodyType,
            body: draft.bodyContent, attachments: carried)
        stats.update {
            $0.sentMessages += 1
            $0.sends.append(record)
        }
        return Response(status: .accepted)
    }

    /// Whose mail a send goes out as: the signed-in user with `Mail.Send`, or a mailbox they
    /// are a delegate of, with `Mail.Send.Shared`.
    private func sender(of mailbox: GraphRoute.Mailbox, grant: Grant) async throws -> UserRow {
        guard case .user(let key) = mailbox else {
            guard grant.scopes.contains("Mail.Send") else { throw GraphErrorResponse.accessDenied }
            return grant.user
        }
        guard let user = try await store.user(matching: key) else {
            throw GraphErrorResponse(.notFound, "ErrorInvalidUser", "The requested user '\(key)' is invalid.")
        }
        if user.id == grant.user.id {
            guard grant.scopes.contains("Mail.Send") else { throw GraphErrorResponse.accessDenied }
            return user
        }
        let delegates = configuration.delegates[user.userPrincipalName.lowercased()] ?? []
        guard delegates.contains(grant.user.userPrincipalName.lowercased()), grant.scopes.contains("Mail.Send.Shared") else {
            throw GraphErrorResponse.accessDenied
        }
        return user
    }
}
