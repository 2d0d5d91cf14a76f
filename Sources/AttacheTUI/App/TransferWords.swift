import AttacheCore
import Foundation

/// How the screen words why a transfer failed: the true reason first, in a row's few words
/// or a status line's sentence, and never a guess the screen cannot back.
///
/// Graph's own message can mislead: a shared mailbox's refusal of upload sessions comes as
/// "Access is denied. Check credentials", and any item that is read-only to the user (an
/// event someone else organizes, a folder shared read-only) comes as the same 403 a missing
/// permission does.
enum TransferWords {
    /// A few words for a transfer's row: `refused: a shared mailbox takes no upload session`.
    static func short(_ error: UploadError, writable: Set<ItemKind> = []) -> String {
        if error.shareReason == .messageSizeExceeded {
            return "past the message's maximum size · l shares it as a link"
        }
        if error.cause?.knownIssue != nil, error.status == 403 {
            return "refused: Graph takes no upload session in another's mailbox (a known issue)"
        }
        if isItemRefusal(error) {
            return writable.contains(error.item?.kind ?? .message)
                ? "refused: the item is read-only to you"
                : "refused: read-only to you, or the sign-in may not write"
        }
        return error.reason
    }

    /// A sentence for the status line and the log: what happened and why, said once.
    static func failure(_ error: UploadError, writable: Set<ItemKind> = []) -> String {
        if let issue = error.cause?.knownIssue, error.status == 403 {
            return "refused: \(issue)"
        }
        if isItemRefusal(error) { return itemRefusal(error, writable: writable) }
        return error.reason
    }

    /// What to do about it, for the details (`nil`: nothing to say).
    static func hint(_ error: UploadError, writable: Set<ItemKind> = []) -> String? {
        if isItemRefusal(error) { return nil }
        return error.hint
    }

    /// Graph's 403 for the item itself (not a shared mailbox's known issue, not a sign-in
    /// that ended, which is a 401).
    static func isItemRefusal(_ error: UploadError) -> Bool {
        error.kind == .notAuthorized && error.status == 403 && error.cause?.knownIssue == nil
    }

    static func itemRefusal(_ error: UploadError, writable: Set<ItemKind>) -> String {
        let kind = error.item?.kind ?? .message
        let permission = kind == .message ? "Mail.ReadWrite" : "Calendars.ReadWrite"
        let said = [error.graphCode, error.cause?.message?.trimmingCharacters(in: .whitespaces)].compactMap { $0 }.joined(separator: ": ")
        let server = "Graph refused to change the item (HTTP 403\(said.isEmpty ? "" : " " + said))"
        if writable.contains(kind) {
            // Files went to other items of this kind: the sign-in may write, this item may not.
            return "\(server): it is read-only to you (an event someone else organizes, a folder shared with you read-only); other \(kind == .message ? "messages" : "events") take files, so it is not the sign-in's permission"
        }
        return "\(server): it is read-only to you (an event someone else organizes, a folder shared with you read-only), or the sign-in lacks \(permission)"
    }
}
