import Clocks
import Foundation
import Logging
import NIOCore
import Synchronization
import _NIOFileSystem

/// The world as an upload meets it: Graph and the upload host through a ``GraphClient``, the
/// mailbox's pacer, the open file and what keeps it honest (``SourceFileGuard``), the clock.
///
/// File work runs ``shielded(_:)``: a cancel must not make a read fail and pass for a changed
/// file; the stop takes effect in the driver, as a cancel or an interrupt.
final class LiveUploadEffects: UploadEffects {
    private let graph: GraphClient
    private let job: UploadJob
    /// The open file; `nil` when it could not be opened (then only clean-ups are asked for).
    private let handle: ReadFileHandle?
    private let fileGuard: Mutex<SourceFileGuard?>
    private let cleanup = Mutex(false)
    private let logger: Logger
    let clock: AttacheClock

    /// Where the journal keeps the mailbox's upload host, and the one it knew before this
    /// upload; `nil` without a journal.
    struct UploadHosts: Sendable {
        var journal: TransferJournal
        var graphBase: String
        var mailbox: String
        var known: String?
    }
    let uploadHosts: UploadHosts?
    /// For a file going to OneDrive: where, and its own pacer (OneDrive's limits are not
    /// the mailbox's, and its 429s teach only this transfer).
    private let share: DriveShare?
    private let drivePacer: UploadPacer

    init(
        graph: GraphClient, job: UploadJob, handle: ReadFileHandle?, fileGuard: SourceFileGuard?, clock: AttacheClock, logger: Logger,
        uploadHosts: UploadHosts? = nil
    ) {
        self.uploadHosts = uploadHosts
        self.graph = graph
        self.job = job
        self.handle = handle
        self.fileGuard = Mutex(fileGuard)
        self.clock = clock
        self.logger = logger
        self.share = job.plan.isDrive ? job.share ?? DriveShare() : nil
        self.drivePacer = UploadPacer(clock: clock)
    }

    /// The pacer of this transfer's sends: the mailbox's, or its own for OneDrive.
    private var pacer: UploadPacer { share == nil ? graph.pacer : drivePacer }

    /// The client for the next request: less time once cleaning up after a stop.
    private var client: GraphClient {
        guard cleanup.withLock({ $0 }) else { return graph }
        var graph = self.graph
        graph.requestTimeout = .seconds(10)
        return graph
    }

    func cleaningUp() {
        cleanup.withLock { $0 = true }
    }

    // MARK: Graph and the upload host

    func createSession() async throws -> UploadSession {
        let (graph, name, size, item, contentId) = (client, job.file.name, job.file.size, job.item, job.contentId)
        if let share {
            return try await shielded { try await graph.createDriveUploadSession(name: name, size: size, share: share) }
        }
        // The upload host's connection opens while the session is made: the first range
        // then goes as soon as the session's reply is in.
        if let origin = uploadHosts?.known { Task { await graph.warmUp(uploadOrigin: origin) } }
        // Never cut short: a session the server made while its reply was on the way would be
        // left behind, unknown to the journal.
        let created = try await shielded { try await graph.createUploadSession(name: name, size: size, on: item, contentId: contentId) }
        if let hosts = uploadHosts {
            let origin = GraphClient.origin(of: created.uploadURL.secretValue)
            if origin != hosts.known { await hosts.journal.remember(uploadOrigin: origin, graphBase: hosts.graphBase, mailbox: hosts.mailbox) }
        }
        return created
    }

    func attachmentsNamedLikeTheFile() async -> Set<String>? {
        if let share {
            let name = job.file.name
            return try? await Set(client.driveChildren(of: share.folderComponents).filter { DriveShare.mayBe($0.name ?? "", renamedFrom: name) }.map(\.id))
        }
        return try? await client.attachmentIDs(named: job.file.name, on: job.item)
    }

    func put(_ range: Range<Int64>, to url: UploadURL, onChunk: @escaping @Sendable (ByteBuffer) -> Void) async throws -> RangeReply {
        guard let handle else { throw FileNotOpen() }
        return try await client.putRange(
            range, of: handle, totalSize: job.file.size, to: url, fileName: job.file.name, toDrive: share != nil, onChunk: onChunk)
    }

    func sessionStatus(_ url: UploadURL) async throws -> UploadSessionStatus {
        try await client.sessionStatus(url, fileName: job.file.name)
    }

    func deleteSession(_ url: UploadURL) async -> Bool? {
        let (graph, name) = (client, job.file.name)
        // Even when this task is cancelled: a cancel must not leave the session open.
        let existed = await shielded { () -> Bool? in
            do {
                try await graph.deleteSession(url, fileName: name)
                return true
            } catch let error as GraphError {
                // Gone already: completed, expired, or its token no longer valid.
                return error.requestFailure.isSessionGone ? false : nil
            } catch {
                return nil
            }
        }
        if existed == nil { logger.warning("could not delete the upload session", metadata: ["file": "\(name)"]) }
        return existed
    }

    func findAttachment(_ search: AttachmentSearch) async throws -> AttachmentInfo? {
        guard let share else { return try await client.findAttachment(search, on: job.item) }
        return try await client.findSharedFile(search, size: job.file.size, in: share)
    }

    func deleteAttachment(_ id: String) async -> Bool {
        let (graph, item) = (client, job.item)
        if share != nil { return await shielded { (try? await graph.deleteDriveItem(id)) != nil } }
        return await shielded { (try? await graph.deleteAttachment(id, of: item)) != nil }
    }

    func post(_ contents: ByteBuffer) async throws -> AttachmentInfo {
        try await client.postAttachment(name: job.file.name, contentType: job.file.contentType, contents: contents, to: job.item, contentId: job.contentId)
    }

    func serverTime(at instant: ContinuousClock.Instant) -> Date? {
        graph.serverClock.earliestServerTime(at: instant)
    }

    // MARK: Pacing

    func pace(_ bytes: Int64, onWait: @escaping @Sendable (Duration) -> Void, shouldStop: @escaping @Sendable () -> Bool) async -> UploadPacer.Ticket? {
        try? await pacer.reserve(bytes, onWait: onWait, shouldStop: shouldStop)
    }

    func endPaced(_ ticket: UploadPacer.Ticket, failure: (any Error)?) async {
        let pacer = self.pacer
        let refusal = failure as? GraphError
        switch (failure, refusal?.status, refusal?.retryAfter) {
        case (nil, _, _): await pacer.sent(ticket)
        case (is NeverSent, _, _): await pacer.refused(ticket)
        case (_, 429, let retryAfter?):
            await pacer.throttled(ticket, retryAfter: retryAfter)
            if let budget = await pacer.budget {
                logger.info("outlook refused a send; pacing uploads to this mailbox", metadata: ["budget": "\(budget)"])
            }
        case (_, 429, nil): await pacer.refused(ticket)
        default: await pacer.sent(ticket, accepted: false)
        }
    }

    func holdMailbox(for duration: Duration) async {
        await pacer.hold(for: duration)
    }

    // MARK: The file

    /// A file that does not hold the bytes its size says.
    struct SizeMismatch: Error, CustomStringConvertible {
        var description: String
    }

    /// The file could not be opened: nothing of it can be read.
    struct FileNotOpen: Error {}

    func readWholeFile() async throws -> ByteBuffer {
        guard let handle else { throw FileNotOpen() }
        let size = job.file.size
        return try await shielded {
            let contents = try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(size))
            guard Int64(contents.readableBytes) == size else {
                throw SizeMismatch(description: "it holds \(contents.readableBytes) bytes, not \(size)")
            }
            // Nothing past the end either: a file that says it is smaller than it is (one of
            // the kernel's, say) must not be attached cut short.
            if let beyond = try? await handle.readChunk(fromAbsoluteOffset: size, length: .bytes(1)), beyond.readableBytes > 0 {
                throw SizeMismatch(description: "it holds more than the \(size) bytes its size says")
            }
            return contents
        }
    }

    func checkFile() async -> SourceFileGuard.Change? {
        guard let handle else { return SourceFileGuard.Change("it can no longer be read") }
        guard let fileGuard = fileGuard.withLock({ $0 }) else { return nil }
        return await shielded { await fileGuard.check(handle) }
    }

    func confirmFile() async -> SourceFileGuard.Change? {
        guard let handle else { return SourceFileGuard.Change("it can no longer be read") }
        guard let fileGuard = fileGuard.withLock({ $0 }) else { return nil }
        return await shielded { await fileGuard.confirm(handle) }
    }

    func fileSHA256() async throws -> String {
        try await FileDigest.sha256(path: job.file.path)
    }

    func attachmentSHA256(_ id: String) async throws -> String {
        let (graph, item) = (client, job.item)
        if share != nil { return try await graph.driveItemSHA256(id) }
        return try await graph.downloadAttachment(id, of: item, to: nil).sha256
    }

    var hashesWhatIsSent: Bool {
        fileGuard.withLock { $0?.hashesWhatIsSent ?? false }
    }

    func recordSent(_ range: Range<Int64>, sha256: [UInt8]) {
        fileGuard.withLock { $0?.recordSent(range, digest: sha256) }
    }
}
