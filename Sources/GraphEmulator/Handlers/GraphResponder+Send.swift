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
        guard !(people.to.isEmpty && people.cc.isEmpty) else {
            throw GraphErrorResponse.badRequest(
                "At least one recipient isn't valid., A message can't be sent because it contains no recipients.", code: "ErrorInvalidRecipients")
        }
        // A limit lowered since the files went on, or a body grown past it: not sent.
        try await checkMessageSize(of: draft, adding: 0)
        _ = try await store.send(draft, newID: EmulatorIDs.item(), at: GraphTimestamp.storable(Date()))
        stats.update { $0.sentMessages += 1 }
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
