import Crypto
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

extension GraphResponder {
    /// The SHA-256 of a file, read in pieces (an attachment may be 150 MB).
    static func sha256Hex(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return hex(SHA256.hash(data: Data())) }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}
