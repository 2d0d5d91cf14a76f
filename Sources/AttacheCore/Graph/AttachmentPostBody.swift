import Foundation
import NIOCore
import NIOFoundationCompat

/// The JSON body of `POST …/attachments` for one file, a `#microsoft.graph.fileAttachment`
/// with its `name`, `contentType` and the bytes in base64 `contentBytes`.
///
/// One definition serves both the request the client sends and the plan that decides
/// whether it may be sent (``UploadPlan``): Graph refuses a body over 4 MiB, counted with
/// the base64 and the envelope, so the plan must count exactly what will be written.
public struct AttachmentPostBody: Hashable, Sendable {
    /// Everything before the base64: the type, the name and the content type, JSON-escaped.
    public let prefix: String
    /// Everything after the base64.
    public static let suffix = "\"}"

    /// - Parameter contentId: for an inline attachment (an image an HTML body names as
    ///   `cid:…`): `isInline` and `contentId` go in the body too.
    public init(name: String, contentType: String, contentId: String? = nil) {
        let inline = contentId.map { ",\"isInline\":true,\"contentId\":" + Self.jsonString($0) } ?? ""
        prefix =
            "{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"name\":" + Self.jsonString(name)
            + ",\"contentType\":" + Self.jsonString(contentType) + inline + ",\"contentBytes\":\""
    }

    /// Bytes of base64 for `bytes` bytes of file (padded, as Foundation writes it).
    public static func base64Length(of bytes: Int64) -> Int64 {
        (bytes + 2) / 3 * 4
    }

    /// Bytes of the whole body for a file of `fileSize` bytes.
    public func length(ofFileSize fileSize: Int64) -> Int64 {
        Int64(prefix.utf8.count) + Self.base64Length(of: fileSize) + Int64(Self.suffix.utf8.count)
    }

    /// The body for `contents`, written in one buffer.
    func encode(_ contents: ByteBuffer) -> ByteBuffer {
        var body = ByteBuffer()
        body.reserveCapacity(Int(length(ofFileSize: Int64(contents.readableBytes))))
        body.writeString(prefix)
        body.writeString(Data(buffer: contents, byteTransferStrategy: .noCopy).base64EncodedString())
        body.writeString(Self.suffix)
        return body
    }

    /// `value` as a JSON string, quotes included.
    static func jsonString(_ value: String) -> String {
        let data = (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
