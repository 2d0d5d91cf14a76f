import Foundation

/// Which resource a request path names, in every spelling the seed walkthrough uses:
///
/// - `/v1.0/me/messages/{id}/attachments/createUploadSession` (Graph, key as a segment);
/// - `/v1.0/Users('{user}')/Events('{id}')/Attachments('{aid}')/$value` (OData keys in parentheses);
/// - `/api/v1.0/Users('…')/Messages('…')/Attachments('…')` (the seed's metadata request);
/// - `/api/v2.0/Users('…')/Messages('…')/AttachmentSessions('…')` (the upload URL);
/// - `/v1.0/me/messages/{id}/send` and `/v1.0/me/Messages('{id}')/microsoft.graph.send`.
///
/// Collection names are matched without regard to case, as Graph does.
enum GraphRoute: Hashable, Sendable {
    enum Mailbox: Hashable, Sendable {
        case me
        case user(String)
    }

    /// The user itself: `/me`, `/users/{id}`.
    case userProfile(Mailbox)
    case items(Mailbox, ItemKind)
    case item(Mailbox, ItemKind, String)
    case attachments(Mailbox, ItemKind, String)
    case attachment(Mailbox, ItemKind, String, attachmentID: String)
    case attachmentValue(Mailbox, ItemKind, String, attachmentID: String)
    case createUploadSession(Mailbox, ItemKind, String)
    /// `POST …/messages/{id}/send` (also `microsoft.graph.send`): sends a draft.
    case sendMessage(Mailbox, String)
    /// `POST …/messages/{id}/createReply`, `createReplyAll` or `createForward`: a new draft.
    case createResponse(Mailbox, String, ResponseKind)
    /// The upload URL: `/api/v2.0/Users('u@t')/Messages('id')/AttachmentSessions('sid')`.
    case uploadSession(user: String, kind: ItemKind, itemID: String, sessionID: String)
    /// The emulator's own test API under `/_emulator/`.
    case control([String])

    /// The mailbox a Graph route names; `nil` for upload URLs and the control API.
    var mailbox: Mailbox? {
        switch self {
        case .userProfile(let mailbox), .items(let mailbox, _), .item(let mailbox, _, _), .attachments(let mailbox, _, _),
            .attachment(let mailbox, _, _, _), .attachmentValue(let mailbox, _, _, _), .createUploadSession(let mailbox, _, _), .sendMessage(let mailbox, _),
            .createResponse(let mailbox, _, _):
            return mailbox
        case .uploadSession, .control:
            return nil
        }
    }

    /// Parses a raw (still percent-encoded) path; `nil` when it names nothing the emulator serves.
    static func parse(_ rawPath: String) -> GraphRoute? {
        var segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map { percentDecode(String($0)) }[...]
        guard let first = segments.popFirst() else { return nil }
        var uploadHost = false
        switch first.lowercased() {
        case "v1.0", "beta":
            break
        case "api":
            guard let version = segments.popFirst()?.lowercased() else { return nil }
            if version == "v2.0" {
                uploadHost = true
            } else if version != "v1.0" && version != "beta" {
                return nil
            }
        case "_emulator":
            return .control(Array(segments))
        default:
            return nil
        }

        // Mailbox: `me`, `users/{id}` or `Users('{id}')`.
        guard let mailboxSegment = segments.popFirst() else { return nil }
        let mailbox: Mailbox
        if mailboxSegment.lowercased() == "me" {
            mailbox = .me
        } else if let key = keyed(mailboxSegment, "users") {
            guard let key else {
                guard let next = segments.popFirst() else { return nil }
                if segments.isEmpty { return uploadHost ? nil : .userProfile(.user(next)) }
                return parseItems(.user(next), &segments, uploadHost: uploadHost)
            }
            mailbox = .user(key)
        } else {
            return nil
        }
        if segments.isEmpty { return uploadHost ? nil : .userProfile(mailbox) }
        return parseItems(mailbox, &segments, uploadHost: uploadHost)
    }

    private static func parseItems(_ mailbox: Mailbox, _ segments: inout ArraySlice<String>, uploadHost: Bool) -> GraphRoute? {
        guard let collectionSegment = segments.popFirst() else { return nil }
        var kind: ItemKind?
        var itemKey: String??
        for candidate in ItemKind.allCases {
            if let key = keyed(collectionSegment, candidate.collection) {
                kind = candidate
                itemKey = key
            }
        }
        guard let kind, let itemKey else { return nil }
        var itemID = itemKey
        if itemID == nil {
            guard let next = segments.popFirst() else {
                return uploadHost ? nil : .items(mailbox, kind)
            }
            itemID = next
        }
        guard let itemID else { return nil }
        guard let next = segments.popFirst() else {
            return uploadHost ? nil : .item(mailbox, kind, itemID)
        }

        if uploadHost {
            guard case .user(let user) = mailbox, let sessionKey = keyed(next, "attachmentsessions"), let sessionID = sessionKey ?? segments.popFirst(),
                segments.isEmpty
            else { return nil }
            return .uploadSession(user: user, kind: kind, itemID: itemID, sessionID: sessionID)
        }

        if kind == .message, segments.isEmpty, ["send", "microsoft.graph.send"].contains(next.lowercased()) {
            return .sendMessage(mailbox, itemID)
        }
        if kind == .message, segments.isEmpty, let response = ResponseKind(segment: next) {
            return .createResponse(mailbox, itemID, response)
        }
        guard let attachmentKey = keyed(next, "attachments") else { return nil }
        var attachmentID = attachmentKey
        if attachmentID == nil {
            guard let segment = segments.popFirst() else { return .attachments(mailbox, kind, itemID) }
            if segment.lowercased() == "createuploadsession" || segment.lowercased() == "microsoft.graph.createuploadsession" {
                return segments.isEmpty ? .createUploadSession(mailbox, kind, itemID) : nil
            }
            attachmentID = segment
        }
        guard let attachmentID else { return nil }
        guard let tail = segments.popFirst() else { return .attachment(mailbox, kind, itemID, attachmentID: attachmentID) }
        guard tail == "$value", segments.isEmpty else { return nil }
        return .attachmentValue(mailbox, kind, itemID, attachmentID: attachmentID)
    }

    /// Matches `name` or `name('key')` (case-insensitive name). Returns `nil` for no match,
    /// `.some(nil)` for the bare name, `.some(key)` for the keyed form.
    private static func keyed(_ segment: String, _ name: String) -> String?? {
        let lower = segment.lowercased()
        if lower == name { return .some(nil) }
        guard lower.hasPrefix(name + "("), segment.hasSuffix(")") else { return nil }
        var key = segment.dropFirst(name.count + 1).dropLast()
        if key.count >= 2, key.hasPrefix("'"), key.hasSuffix("'") {
            key = key.dropFirst().dropLast()
        }
        return .some(String(key).replacingOccurrences(of: "''", with: "'"))
    }

    static func percentDecode(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The drafts Graph makes from a message: a reply to its sender, to everyone, or a forward.
enum ResponseKind: String, Hashable, Sendable, CaseIterable {
    case reply = "createreply"
    case replyAll = "createreplyall"
    case forward = "createforward"

    /// `createReply` or `microsoft.graph.createReply`, in any case.
    init?(segment: String) {
        var name = segment.lowercased()
        if name.hasPrefix("microsoft.graph.") { name.removeFirst("microsoft.graph.".count) }
        self.init(rawValue: name)
    }
}
