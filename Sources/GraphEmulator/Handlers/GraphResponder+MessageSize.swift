import HTTPTypes
import Foundation

extension GraphResponder {
    /// The refusal of a message grown past the tenant's maximum size, as Exchange Online
    /// words it (microsoft-graph-docs-contrib #2561). Its status is not documented: 400, as
    /// Graph gives Exchange's other refusals of a request (`ErrorInvalidRecipients`).
    static let messageSizeExceeded = GraphErrorResponse(.badRequest, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.")

    /// Refuses `adding` more bytes to `item` when its body, its attachments and what its open
    /// upload sessions already hold (`pending`) would then pass the maximum message size.
    func checkMessageSize(of item: ItemRow, adding bytes: Int64, pending: Int64 = 0) async throws {
        guard let limit = configuration.maximumMessageSize else { return }
        let attachments = try await store.attachments(itemID: item.id).reduce(Int64(0)) { $0 + $1.size }
        let size = Int64(item.bodyContent.utf8.count) + Int64(item.subject.utf8.count) + attachments + pending + bytes
        guard size <= limit else {
            stats.update { $0.messageSizeRefusals += 1 }
            throw Self.messageSizeExceeded
        }
    }
}
