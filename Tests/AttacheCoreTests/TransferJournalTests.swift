import Foundation
import Logging
import Testing

@testable import AttacheCore

@Suite("The transfer journal")
final class TransferJournalTests {
    let directory = NSTemporaryDirectory() + "attache-journal-\(UUID().uuidString)"

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func sample() -> LocalFile {
        LocalFile(path: "/tmp/a.bin", name: "a.bin", size: 5_000_000, modified: 1_700_000_000.5)
    }

    @Test func theFileIsPrivate() async throws {
        let path = directory + "/state/journal.sqlite"
        let journal = try TransferJournal(path: path, logger: Logger(label: "test"))
        _ = try await journal.begin(file: sample(), item: .event("E"), plan: .singleRequest, graphBase: "b", fingerprint: "f")
        // The write-ahead log and its index hold upload URLs too.
        for file in [path, path + "-wal", path + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
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

    @Test func aClaimKeepsOthersOutUntilItGoes() throws {
        let journal = try TransferJournal(path: directory + "/journal.sqlite", logger: Logger(label: "test"))
        let id = TransferJournal.newID()
        #expect(journal.holder(of: id) == nil)
        guard case .claimed(var claim) = try journal.claim(id) else {
            Issue.record("a free transfer should be claimed")
            return
        }
        // flock(2) locks belong to the open file, so a second claim fails in this process too.
        guard case .heldElsewhere(let holder) = try journal.claim(id) else {
            Issue.record("a held transfer should not be claimed twice")
            return
        }
        #expect(holder.pid == getpid())
        #expect(holder.description == "another attache (pid \(getpid()))")
        #expect(journal.holder(of: id) == holder)

        // Removing the file while holding it: a later claim makes a new one.
        claim.removeFile()
        #expect(!FileManager.default.fileExists(atPath: directory + "/claims/\(id).lock"))
        guard case .claimed(let second) = try journal.claim(id) else {
            Issue.record("a removed lock file should not block a new claim")
            return
        }
        #expect(journal.holder(of: id) != nil)
        claim = second
        _ = claim
    }

    @Test func aClaimEndsWithItsOwner() throws {
        let journal = try TransferJournal(path: directory + "/journal.sqlite", logger: Logger(label: "test"))
        let id = TransferJournal.newID()
        do {
            guard case .claimed(let claim) = try journal.claim(id) else {
                Issue.record("a free transfer should be claimed")
                return
            }
            withExtendedLifetime(claim) { #expect(journal.holder(of: id) != nil) }
        }
        #expect(journal.holder(of: id) == nil)
        // A probe leaves no lock file behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/claims").isEmpty)
    }

    @Test func anInMemoryJournalNeedsNoClaims() throws {
        let journal = try TransferJournal(inMemoryWith: Logger(label: "test"))
        guard case .notNeeded = try journal.claim("t00000001") else {
            Issue.record("an in-memory journal keeps no claims")
            return
        }
    }
}
