import Foundation
import Logging
import Testing

@testable import AttacheCore

/// Inputs the fuzz targets of `Fuzz/` found to crash attache or get a wrong answer, each
/// kept in `Fuzz/Regressions/TARGET/` too; here they run with every `make test`.
@Suite("Inputs the fuzz targets found")
struct ParserRegressionTests {
    static let uploadURL = UploadURL("http://127.0.0.1:9/api/v2.0/AttachmentSessions('S')?authtoken=T")

    /// retry-after: an `S`, a combining mark and bytes that are not UTF-8 (read as U+FFFD)
    /// trapped in Foundation's DateFormatter ("Incorrect range CFRange") while attache looked
    /// for an HTTP date in it (Fuzz/Regressions/retry-after/combining-marks).
    @Test func aRetryAfterBeyondASCIIIsNoDate() {
        let header = String(decoding: [0x53, 0xCC, 0xAC] + Array(repeating: UInt8(0xAC), count: 15), as: UTF8.self)
        #expect(RetryAfter.parse(header) == nil)
        #expect(RetryAfter.parse("Tue, 25 Nov 2025 10:53:00 GMT", now: Date(timeIntervalSince1970: 1_764_064_380)) == .seconds(3600))
    }

    /// oauth: an error reply with no `error_description` and an `error` of several lines
    /// made a message of several lines, where the description's first line alone is kept
    /// (Fuzz/Regressions/oauth/error-on-two-lines.json).
    @Test func aSignInRefusalIsOneLineWhicheverFieldSaysIt() {
        let refusal = SignInError.fromReply(error: "invalid_grant\r\nTrace ID: 1", description: nil, status: 400)
        #expect(refusal.message == "invalid_grant")
        #expect(refusal.kind == .refused)
        let described = SignInError.fromReply(error: "invalid_grant", description: "AADSTS70008: The code expired.\r\nTrace ID: 2", status: 400)
        #expect(described.message == "The code expired.")
        #expect(SignInError.fromReply(error: nil, description: "\n", status: 503).message == "HTTP 503")
    }

    /// What `attache resume` plans for a journal row of an interrupted session.
    func resumable(
        rangeLength: Int64, fileSize: Int64 = 12_000_000, confirmed: Int64 = 0, plan: UploadPlan? = nil
    ) async throws -> TransferService.ResumePlan.Resumable {
        let logger = Logger(label: "test")
        let journal = try TransferJournal(inMemoryWith: logger)
        let file = LocalFile(path: "/tmp/a.bin", name: "a.bin", size: fileSize, modified: 1)
        let record = try await journal.begin(
            file: file, item: .message("M="), plan: plan ?? .uploadSession(rangeLength: rangeLength), graphBase: "embedded", fingerprint: "f",
            share: DriveShare())
        try await journal.update(record.id) {
            $0.uploadURL = Self.uploadURL
            $0.confirmedBytes = confirmed
            $0.state = .interrupted
        }
        let http = GraphClient.makeHTTPClient()
        let graph = GraphClient(baseURL: "http://127.0.0.1:9/v1.0", http: http, credentials: StaticAccessToken("t"), logger: logger)
        let service = TransferService(graph: graph, journal: journal, graphBase: "embedded", logger: logger)
        let plan = service.planResume(try await journal.unfinished())
        try await http.shutdown()
        return try #require(plan.resumable.first)
    }

    /// A resume of the journal's row with this range length: the job it plans, and the
    /// first action of its upload once the session says it expects the whole file.
    func resume(rangeLength: Int64) async throws -> (UploadPlan, UploadStateMachine.Action) {
        let job = try await resumable(rangeLength: rangeLength).job
        var machine = UploadStateMachine(fileSize: job.file.size, plan: job.plan)
        #expect(try machine.resume(session: Self.uploadURL) == .querySession(Self.uploadURL))
        return (job.plan, try machine.sessionStatus(expecting: .everything))
    }

    /// journal: a row whose range length no upload could have used sent empty ranges (0)
    /// or trapped (negative: a range ending before it starts; `Int64.max`: an overflow).
    @Test(arguments: [Int64(0), -1, 100, 4 * 1024 * 1024, .max])
    func aJournaledRangeLengthNoUploadCouldUseGivesWayToTheDefault(rangeLength: Int64) async throws {
        let (plan, first) = try await resume(rangeLength: rangeLength)
        #expect(plan == .uploadSession(rangeLength: AttachmentLimits.defaultRangeLength))
        #expect(first == .putRange(0..<AttachmentLimits.defaultRangeLength, session: Self.uploadURL))
    }

    @Test func aJournaledRangeLengthAnUploadCouldUseIsKept() async throws {
        let (plan, first) = try await resume(rangeLength: 655_360)
        #expect(plan == .uploadSession(rangeLength: 655_360))
        #expect(first == .putRange(0..<655_360, session: Self.uploadURL))
    }
    /// journal: a row of a file of 2^63 - 1 bytes overflowed the upload machine's limit on
    /// what it sends (three times the file) at the first range of the resume; one of -1
    /// bytes, or with -1 bytes confirmed, trapped the progress line (a bar of -1 cells) and
    /// the screen's bar (a range `0..<-1`) (Fuzz/Regressions/journal/file-size-*).
    @Test(arguments: [(Int64.max, Int64(7_864_320)), (-1, 7_864_320), (12_000_000, -1), (12_000_000, .max)])
    func aJournaledSizeNoUploadCouldHaveIsBelievedOnlyWithinBounds(fileSize: Int64, confirmed: Int64) async throws {
        let resumed = try await resumable(rangeLength: 3_932_160, fileSize: fileSize, confirmed: confirmed)
        #expect((0...AttachmentLimits.maximumFileSize).contains(resumed.job.file.size))
        #expect(resumed.record.fileSize == resumed.job.file.size)
        #expect((0...resumed.job.file.size).contains(resumed.record.confirmedBytes))
        // As the queue shows it before the session answers.
        var snapshot = TransferSnapshot(id: 0, job: resumed.job)
        snapshot.confirmedBytes = resumed.record.confirmedBytes
        #expect((0...1).contains(snapshot.fractionDone))
        var machine = UploadStateMachine(fileSize: resumed.job.file.size, plan: resumed.job.plan)
        _ = try machine.resume(session: Self.uploadURL)
        let first = try machine.sessionStatus(expecting: .everything)
        #expect(first == .putRange(0..<min(3_932_160, resumed.job.file.size), session: Self.uploadURL) || first == .findAttachment)
    }

    @Test func aJournaledSizeAnUploadCouldHaveIsKept() async throws {
        let resumed = try await resumable(rangeLength: 3_932_160, fileSize: 12_000_000, confirmed: 7_864_320)
        #expect(resumed.job.file.size == 12_000_000)
        #expect(resumed.record.confirmedBytes == 7_864_320)
    }

    /// A file shared from OneDrive may be past Outlook's 150 MiB: its resume keeps its size
    /// (cut to 150 MiB, it failed as a file that had changed), within OneDrive's limit.
    @Test func aJournaledShareKeepsASizePastOutlooksLimit() async throws {
        let size: Int64 = 200 * 1024 * 1024
        let resumed = try await resumable(
            rangeLength: UploadPlan.defaultFragmentLength, fileSize: size, confirmed: 83_886_080,
            plan: .driveSession(fragmentLength: UploadPlan.defaultFragmentLength))
        #expect(resumed.job.plan == .driveSession(fragmentLength: UploadPlan.defaultFragmentLength))
        #expect(resumed.job.file.size == size)
        #expect(resumed.record.confirmedBytes == 83_886_080)
        let beyond = try await resumable(rangeLength: UploadPlan.defaultFragmentLength, fileSize: .max, plan: .driveSession(fragmentLength: 327_680))
        #expect(beyond.job.file.size == DriveShare.maximumFileSize)
    }
}
