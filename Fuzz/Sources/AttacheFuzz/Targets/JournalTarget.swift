import Foundation
import GRDB
@testable import AttacheCore

/// A row of the transfer journal, as `attache status` and `attache resume` read it back:
/// `TransferRecord`'s decoding through GRDB, and what a resume makes of the record.
///
/// Input: one line per column, in the table's order (``columns``); a line is `NULL`,
/// `i:` and an integer, `r:` and a real, `x:` and hex bytes, or else text. Columns the
/// input leaves out keep the values of a real row (``template``), so that a short input
/// changes one column of a row that otherwise reads.
enum JournalTarget {
    static let columns = [
        "id", "createdAt", "updatedAt", "filePath", "fileName", "fileSize", "fileModified", "fingerprint", "graphBase",
        "itemKind", "itemID", "method", "rangeLength", "uploadURL", "sessionExpires", "sessionStartedAt", "confirmedBytes",
        "state", "lastError", "attachmentID", "errorCode", "serverStartedAt", "priorAttachmentIDs",
    ]

    /// An upload interrupted by Ctrl-C, as `attache upload` left it in the journal against
    /// the emulator (also the seed `Corpus/journal/interrupted-session`).
    static let template = [
        "tf8da8c8b",
        "2026-12-05 09:02:59.135",
        "2026-12-05 09:03:07.966",
        "/home/demo/big.bin",
        "big.bin",
        "i:12000000",
        "r:1796459437.97132",
        "3259339aa09198c1612133a82dc5a4534ccd45f52471bd631e557040f331db87",
        "http://127.0.0.1:39983/v1.0",
        "message",
        "AAMkADk127Xi0GJ5_tUq5p3CEynBHcAAA=",
        "session",
        "i:3932160",
        "http://127.0.0.1:42215/api/v2.0/Users('5b8e0f5a-3c7d-4b9e-a1f2-0c6d9e8b7a41@0d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d')/Messages('AAMkADk127Xi0GJ5_tUq5p3CEynBHcAAA=')/AttachmentSessions('AAMkADO5FLBbiAl92CSQcqkjfM=')?authtoken=eyJhbGciOiJSUzI1NiIsImtpZCI6dGFNArXaNoQK378JYSyq3td5I_K99_A3s6My7lIy_c0",
        "2026-12-05T10:02:59.1520000Z",
        "2026-12-05 09:02:59.140",
        "i:7864320",
        "interrupted",
        "HTTP 429 ApplicationThrottled: Application is over its MailboxUpload limit: 1000000 bytes per 5 seconds.",
        "NULL",
        "NULL",
        "2026-12-05 09:02:57.982",
        "[]",
    ]

    /// The table the input's row goes in, and the one records are written back to: each
    /// made once by the journal's own migrations (making one costs more than a run).
    static let rows = journalTable()
    static let rewrites = journalTable()

    static func journalTable() -> DatabaseQueue {
        let database = try! DatabaseQueue()
        try! TransferJournal.migrator.migrate(database)
        return database
    }

    static let service = TransferService(
        graph: Fixtures.graph, journal: try! TransferJournal(inMemoryWith: Fixtures.logger), graphBase: "embedded", logger: Fixtures.logger)

    static func run(_ input: FuzzInput) {
        var lines = template
        for (index, line) in input.lines.prefix(columns.count).enumerated() { lines[index] = line }
        guard let record = readBack(lines.map(value(of:))) else { return }
        checkRewrite(record)
        checkShown(record)
        checkResume(record)
    }

    /// The row, read as attache reads it; `nil` when SQLite refuses it or GRDB cannot make
    /// a record of it (an error attache reports, never a trap).
    static func readBack(_ values: [DatabaseValue]) -> TransferRecord? {
        let database = rows
        try! database.write { try $0.execute(sql: "DELETE FROM transfer") }
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let sql = "INSERT INTO transfer (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
        do {
            try database.write { try $0.execute(sql: sql, arguments: StatementArguments(values)) }
        } catch {
            return nil
        }
        return try? database.read { try TransferRecord.fetchOne($0) }
    }

    /// Every step of an upload reads its row, changes it and writes it back: what it writes,
    /// it must read again, the same.
    static func checkRewrite(_ record: TransferRecord) {
        // GRDB writes a date as `yyyy-MM-dd HH:mm:ss.SSS` and reads only that back; a row
        // can hold a number instead (1e12 is the year 33658), which GRDB reads as seconds
        // since 1970 and cannot write again. attache never writes one: such a row is a damaged
        // journal, and left out here (docs/reliability.md#fuzzing says what it costs).
        let dates = [record.createdAt, record.updatedAt, record.sessionStartedAt, record.serverStartedAt].compactMap { $0 }
        guard dates.allSatisfy({ (GraphDate.earliest...GraphDate.latest).contains($0.timeIntervalSince1970) }) else { return }
        func rewritten(_ record: TransferRecord) -> TransferRecord? {
            try? rewrites.write { db in
                try db.execute(sql: "DELETE FROM transfer")
                try record.insert(db)
                return try TransferRecord.fetchOne(db)
            }
        }
        let once = rewritten(record)
        expect(once != nil, "a record read from a row cannot be written back and read: \(record)")
        guard let once else { return }
        expect(rewritten(once) == once, "the record changes each time it is written: \(once)")
        // Dates are kept to the millisecond; nothing else may change.
        var same = once
        same.createdAt = record.createdAt
        same.updatedAt = record.updatedAt
        same.sessionStartedAt = record.sessionStartedAt
        same.serverStartedAt = record.serverStartedAt
        expect(same == record, "writing the record back changed it: \(record) → \(once)")
        let pairs: [(Date?, Date?)] = [
            (record.createdAt, once.createdAt), (record.updatedAt, once.updatedAt), (record.sessionStartedAt, once.sessionStartedAt),
            (record.serverStartedAt, once.serverStartedAt),
        ]
        for (a, b) in pairs {
            expect((a == nil) == (b == nil), "a date came or went: \(String(describing: a)) → \(String(describing: b))")
            if let a, let b { expect(abs(a.timeIntervalSince(b)) < 0.001, "\(a.timeIntervalSince1970) came back as \(b.timeIntervalSince1970)") }
        }
    }

    /// What `attache status` prints of it (lines and `--json`).
    static func checkShown(_ record: TransferRecord) {
        _ = "\(ByteCount(record.confirmedBytes))/\(ByteCount(record.fileSize)) \(record.fileName) → \(record.item)"
        _ = GraphDate.format(record.createdAt)
        _ = GraphDate.format(record.updatedAt)
        if let url = record.uploadURL { URLInvariants.checkRedaction(of: url.secretValue) }
    }

    /// What `attache resume` makes of it: a job, a snapshot on the progress line and the
    /// screen, and the first range the upload sends.
    static func checkResume(_ record: TransferRecord) {
        var record = record
        record.graphBase = service.graphBase
        let plan = service.planResume([record])
        expect(plan.resumable.count == 1, "a record of this Graph is not resumable here")
        guard let resumable = plan.resumable.first else { return }
        let job = resumable.job
        // As `TransferQueue.enqueue(_:resuming:)` shows it (with the record the plan hands
        // on) before the session answers: the progress line and the screen draw bars of it.
        var snapshot = TransferSnapshot(id: 0, job: job)
        snapshot.confirmedBytes = resumable.record.confirmedBytes
        expect(snapshot.fileSize >= 0, "a file of \(snapshot.fileSize) bytes")
        expect((0...1).contains(snapshot.fractionDone), "\(record.confirmedBytes) of \(record.fileSize) bytes shows as \(snapshot.fractionDone) done")
        expect(
            snapshot.progressBytes >= 0 && snapshot.progressBytes <= snapshot.fileSize,
            "\(record.confirmedBytes) of \(record.fileSize) bytes shows as \(snapshot.progressBytes)")
        // The upload goes on only with a file of the recorded size (its guard compares them).
        guard job.file.size >= 0 else { return }
        let machine = UploadStateMachine(fileSize: job.file.size, plan: job.plan)
        let answers = [ExpectedRanges.everything, ExpectedRanges([ByteRange(start: max(0, record.confirmedBytes))])]
        for answer in answers {
            var machine = machine
            var action: UploadStateMachine.Action?
            if let url = record.uploadURL {
                action = try? machine.resume(session: url)
                expect(action == .querySession(url), "a resume with a session starts with \(String(describing: action))")
                action = try? machine.sessionStatus(expecting: answer)
            } else {
                action = try? machine.resumeWithoutSession()
                expect(action == .findAttachment, "a resume without a session starts with \(String(describing: action))")
                action = try? machine.attachmentSearchFinished(foundID: nil)
                if action == .createSession { action = try? machine.sessionCreated(UploadURL("https://upload.invalid/s"), expecting: answer) }
            }
            if case .putRange(let range, _) = action {
                expect(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= job.file.size, "the resume sends bytes \(range) of \(job.file.size)")
                if case .uploadSession(let length) = job.plan, length > 0 {
                    expect(Int64(range.count) <= length, "the resume sends \(range.count) bytes in a range of \(length)")
                }
            }
        }
    }

    static func value(of line: String) -> DatabaseValue {
        if line == "NULL" { return .null }
        if line.hasPrefix("i:"), let integer = Int64(line.dropFirst(2)) { return integer.databaseValue }
        if line.hasPrefix("r:"), let real = Double(line.dropFirst(2)) { return real.databaseValue }
        if line.hasPrefix("x:") {
            var bytes: [UInt8] = []
            var digits = line.dropFirst(2).makeIterator()
            while let high = digits.next(), let low = digits.next(), let byte = UInt8(String([high, low]), radix: 16) { bytes.append(byte) }
            return Data(bytes).databaseValue
        }
        return line.databaseValue
    }
}
