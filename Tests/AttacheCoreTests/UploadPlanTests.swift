import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

@testable import AttacheCore

@Suite("Choosing POST or an upload session")
struct UploadPlanTests {
    static let mb: Int64 = 1024 * 1024

    /// The largest file whose POST fits with `name`: its base64 and envelope make 4 MiB.
    static func largestPost(named name: String) -> Int64 {
        let envelope = AttachmentPostBody(name: name, contentType: ContentType.forFileName(name)).length(ofFileSize: 0)
        return (AttachmentLimits.maximumRequestBody - envelope) / 4 * 3
    }

    @Test("one POST while its body fits 4 MiB", arguments: [0, 1, 2 * 1_048_576, 3_145_611] as [Int64])
    func smallFilesPost(size: Int64) throws {
        #expect(try UploadPlan.forFile(size: size, name: "report.pdf") == .singleRequest)
    }

    @Test("an upload session once it does not", arguments: [3 * 1_048_576, 3 * 1_048_576 + 1, 4 * 1_048_576 + 1, 150 * 1_048_576] as [Int64])
    func largeFilesUseASession(size: Int64) throws {
        #expect(try UploadPlan.forFile(size: size, name: "report.pdf") == .uploadSession(rangeLength: 3_932_160))
    }

    /// The edge is the request's, not a file size: a byte past the largest POST for a name
    /// takes a session, and a longer name moves the edge down.
    @Test func theEdgeIsTheRequestsNotTheFilesSize() throws {
        for name in ["a", "report.pdf", String(repeating: "long name ", count: 25) + ".pdf", "relatório — números ☕.xlsx"] {
            let largest = Self.largestPost(named: name)
            let body = AttachmentPostBody(name: name, contentType: ContentType.forFileName(name))
            #expect(body.length(ofFileSize: largest) <= AttachmentLimits.maximumRequestBody)
            #expect(body.length(ofFileSize: largest + 1) > AttachmentLimits.maximumRequestBody)
            #expect(try UploadPlan.forFile(size: largest, name: name) == .singleRequest, "\(name)")
            #expect(try UploadPlan.forFile(size: largest + 1, name: name) == .uploadSession(rangeLength: 3_932_160), "\(name)")
        }
        // The names that once fell in the gap: 3,145,612 to 3,145,727 bytes, POSTed by "under 3 MiB".
        #expect(Self.largestPost(named: String(repeating: "n", count: 100) + ".bin") < 3_145_612)
        #expect(try UploadPlan.forFile(size: 3_145_700, name: String(repeating: "n", count: 100) + ".bin") != .singleRequest)
        // Under the session minimum a session is never planned.
        #expect(AttachmentLimits.minimumSessionSize == 2_097_152)
    }

    /// What the plan counts is what the client writes, byte for byte.
    @Test func theCountedBodyIsTheSentBody() {
        let body = AttachmentPostBody(name: "naïve \"quotes\"/slash.txt", contentType: "text/plain")
        for size in [0, 1, 2, 3, 1000] {
            let encoded = body.encode(ByteBuffer(repeating: 0x41, count: size))
            #expect(Int64(encoded.readableBytes) == body.length(ofFileSize: Int64(size)))
            let json = try? JSONSerialization.jsonObject(with: Data(buffer: encoded)) as? [String: String]
            #expect(json?["name"] == "naïve \"quotes\"/slash.txt")
            #expect(json?["contentBytes"].flatMap { Data(base64Encoded: $0) }?.count == size)
        }
    }

    @Test func overTheLimitIsRefusedBeforeAnyRequest() {
        #expect(throws: UploadPlan.Refusal.tooLarge(size: 150 * Self.mb + 1)) {
            try UploadPlan.forFile(size: 150 * Self.mb + 1, name: "huge.bin")
        }
    }

    @Test func theDefaultRangeIsTwelveTimes320KiB() {
        #expect(AttachmentLimits.defaultRangeLength == 12 * 327_680)
        #expect(AttachmentLimits.defaultRangeLength < 4 * Self.mb)
    }

    @Test("range lengths must be positive multiples of 320 KiB under 4 MiB", arguments: [0, -327_680, 1000, 13 * 327_680, 4 * 1_048_576] as [Int64])
    func badRangeLengths(length: Int64) {
        #expect(throws: UploadPlan.Refusal.badRangeLength(length)) {
            try UploadPlan.validate(rangeLength: length)
        }
    }

    @Test(arguments: [327_680, 2 * 327_680, 12 * 327_680] as [Int64])
    func goodRangeLengths(length: Int64) throws {
        try UploadPlan.validate(rangeLength: length)
    }

    @Test func refusalsSayWhatToDo() {
        #expect("\(UploadPlan.Refusal.tooLarge(size: 200 * Self.mb))".contains("at most 150 MiB"))
        #expect("\(UploadPlan.Refusal.badRangeLength(1000))".contains("327680"))
    }
}
