import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// `DELETE /me/messages/{id}` and `/me/events/{id}`: 204; the item goes with its
    /// attachments and any upload session still open on it (whose URL then answers 404).
    func deleteItem(mailbox: GraphRoute.Mailbox, kind: ItemKind, id: String, grant: Grant) async throws -> Response {
        let (_, row) = try await item(mailbox, kind, id, grant: grant, write: true)
        try await store.delete(item: row)
        return Response(status: .noContent)
    }
}
