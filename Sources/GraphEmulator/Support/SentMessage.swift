import Foundation

/// A message as it left: who it went to, and the attachments it had at that moment, each
/// with the SHA-256 of its bytes. `/_emulator/stats` lists them under `sends`, so a test
/// sees what a recipient would have got.
struct SentMessage: Sendable, Hashable {
    struct Attachment: Sendable, Hashable {
        var name: String
        var size: Int64
        var sha256: String
        var isInline: Bool
        var contentId: String?
    }

    /// The id it has in Sent Items.
    var id: String
    var subject: String
    var from: String
    var to: [String]
    var cc: [String]
    var bcc: [String]
    var bodyType: String
    var body: String
    var attachments: [Attachment]

    var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("subject", .string(subject)),
            ("from", .string(from)),
            ("to", .array(to.map(JSONValue.string))),
            ("cc", .array(cc.map(JSONValue.string))),
            ("bcc", .array(bcc.map(JSONValue.string))),
            ("bodyType", .string(bodyType)),
            ("body", .string(body)),
            (
                "attachments",
                .array(
                    attachments.map { attachment in
                        .object([
                            ("name", .string(attachment.name)),
                            ("size", .int(attachment.size)),
                            ("sha256", .string(attachment.sha256)),
                            ("isInline", .bool(attachment.isInline)),
                            ("contentId", attachment.contentId.map(JSONValue.string) ?? .null),
                        ])
                    })
            ),
        ])
    }
}
