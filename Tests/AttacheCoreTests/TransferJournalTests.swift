import Foundation
import Logging
import Testing

@testable import AttacheCore

@Suite("The transfer journal")
struct TransferJournalTests {
    let directory = NSTemporaryDirectory() + "attache-journal-\(UUID().uuidString)"

    func sample() -> LocalFile {
        LocalFile(path: "/tmp/a.bin", name: "a.bin", size: 5_000_000, modified: 1_700_000_000.5)
    }

    @Test func theFileIsPrivate() throws {
        let path = directory + "/state/journal.sqlite"
        _ = try TransferJournal(path: path, logger: Logger(label: "test"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directoryAttributes = try FileManager.default.attributesOfItem(atPath: directory + "/state")
        #expect((directoryAttributes[.posixPermissions] as? Int) == 0o700)
    }

    @Test func recordsSurviveReopening() async throws {
        let path = directory + "/journal.sqlite"
        let journal = try TransferJournal(path: path, logger: Logger(label: "test"))
        let record = try await journal.begin(
            file: sample(), item: .message("M="), plan: .uploadSession(rangeLength: 3_932_160), graphBase: "embedded", fingerprint: "f")
        try await journal.update(record.id) {
            $0.uploadURL = UploadURL("http://h/s?authtoken=T")
            $0.confirmedBytes = 3_932_160
            $0.state = .uploading
        }
        let reopened = try TransferJournal(path: path, logger: Logger(label: "test"))
        let unfinished = try await reopened.unfinished()
        #expect(unfinished.count == 1)
        let row = try #require(unfinished.first)
        #expect(row.id == record.id)
        #expect(row.uploadURL?.secretValue == "http://h/s?authtoken=T")
        #expect(row.confirmedBytes == 3_932_160)
        #expect(row.item == .message("M="))
        #expect(row.localFile == sample())
        #expect(row.rangeLength == 3_932_160)
    }

    @Test func finishedTransfersAreNotUnfinished() async throws {
        let journal = try TransferJournal(inMemoryWith: Logger(label: "test"))
        let done = try await journal.begin(file: sample(), item: .event("E"), plan: .singleRequest, graphBase: "b", fingerprint: "f")
        let open = try await journal.begin(file: sample(), item: .event("E"), plan: .singleRequest, graphBase: "b", fingerprint: "f")
        try await journal.update(done.id) { $0.state = .done }
        try await journal.update(open.id) { $0.state = .interrupted }
        #expect(try await journal.unfinished().map(\.id) == [open.id])
        #expect(try await journal.recent().count == 2)
    }

    @Test func idsCanBeShortened() async throws {
        let journal = try TransferJournal(inMemoryWith: Logger(label: "test"))
        let record = try await journal.begin(file: sample(), item: .event("E"), plan: .singleRequest, graphBase: "b", fingerprint: "f")
        #expect(try await journal.records(matching: String(record.id.prefix(5))).map(\.id) == [record.id])
        #expect(try await journal.records(matching: "zzz").isEmpty)
    }
}
