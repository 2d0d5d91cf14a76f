import Foundation
import Testing

@testable import AttacheCore

/// The CLI against the emulator over loopback, for every size boundary of the protocol, on a
/// message and on an event: what `$value` returns must hash like the file.
@Suite("Uploads of every size, end to end")
struct UploadSizesTests {
    static let mib = 1024 * 1024

    /// The largest file whose POST, named as these tests name it, fits Graph's 4 MiB body.
    static let largestPost: Int = {
        let name = "size-3145600.bin"  // every 7-digit size gives a name as long
        let envelope = AttachmentPostBody(name: name, contentType: ContentType.forFileName(name)).length(ofFileSize: 0)
        return Int((AttachmentLimits.maximumRequestBody - envelope) / 4 * 3)
    }()

    /// Every edge: a session's 2 MiB minimum, the largest POST and a byte more, 3 MiB (the
    /// docs' edge, a session here since its request is over 4 MiB), a range and a byte, 150 MiB.
    static let sizes: [Int] = [0, 1, 2 * mib, largestPost, largestPost + 1, 3 * mib, 4 * mib + 1, 150 * mib]

    @Test("attache upload, then $value hashes like the file", arguments: sizes, ["messages", "events"])
    func uploadIsByteExact(size: Int, collection: String) async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem(collection)
            let file = try harness.makeFile("size-\(size).bin", size: size, seed: UInt64(size) + 7)
            let target = collection == "messages" ? "--message" : "--event"
            let result = try await harness.attache("upload", [file.path, target, item, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.jsonLines.first)
            #expect(result.jsonLines.count == 1)
            #expect(line["status"] as? String == "attached")
            #expect(line["size"] as? Int == size)
            let posted = size <= Self.largestPost
            #expect(line["method"] as? String == (posted ? "post" : "session"))
            let attachmentID = try #require(line["attachmentId"] as? String)
            let digest = try await harness.valueDigest(collection, item, attachmentID)
            #expect(digest.status == 200)
            #expect(digest.bytes == size)
            #expect(digest.sha256 == file.sha256)
            let listed = try await harness.attachments(collection, item)
            #expect(listed.count == 1)
            #expect(listed.first?["name"] as? String == "size-\(size).bin")
            let stats = try await harness.stats()
            #expect(stats["openSessions"] == 0)
            if !posted {
                // Ranges of 3.75 MiB: one PUT per range, nothing sent twice.
                let ranges = (size + 3_932_159) / 3_932_160
                #expect(stats["putRequests"] == ranges)
                #expect(stats["putBytes"] == size)
                #expect(stats["postAttachmentRequests"] == 0)
            } else {
                #expect(stats["postAttachmentRequests"] == 1)
                #expect(stats["createSessionRequests"] == 0)
            }
        }
    }

    @Test func severalFilesToOneItemEachTakeTheirOwnPath() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let small = try harness.makeFile("notes.txt", size: 20_000, seed: 3)
            let large = try harness.makeFile("video.mp4", size: 9 * Self.mib, seed: 4)
            let result = try await harness.attache("upload", [small.path, large.path, "--message", item, "--chunk-size", "655360"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.contains { $0.hasPrefix("attached notes.txt (19.5 KiB) to message \(item): attachment ") && $0.contains("[one request") })
            #expect(lines.contains { $0.hasPrefix("attached video.mp4 (9.0 MiB) to message \(item): attachment ") && $0.contains("[upload session") })
            let listed = try await harness.attachments("messages", item)
            #expect(Set(listed.compactMap { $0["name"] as? String }) == ["notes.txt", "video.mp4"])
            #expect(listed.first { $0["name"] as? String == "video.mp4" }?["contentType"] as? String == "video/mp4")
            // 9 MiB in 640 KiB ranges.
            #expect(try await harness.stats()["putRequests"] == 15)
        }
    }

    @Test func aNewDraftTakesTheFiles() async throws {
        try await CLIHarness.with { harness in
            let file = try harness.makeFile("scan.pdf", size: 5 * Self.mib, seed: 9)
            let result = try await harness.attache("upload", [file.path, "--new-draft", "Contrato — versão final", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.jsonLines.first)
            let item = try #require((line["item"] as? [String: Any])?["id"] as? String)
            let draft = try await harness.json("/me/messages/\(item)?$select=subject,isDraft,hasAttachments")
            #expect(draft["subject"] as? String == "Contrato — versão final")
            #expect(draft["hasAttachments"] as? Bool == true)
            let digest = try await harness.valueDigest("messages", item, try #require(line["attachmentId"] as? String))
            #expect(digest.sha256 == file.sha256)
        }
    }
}
