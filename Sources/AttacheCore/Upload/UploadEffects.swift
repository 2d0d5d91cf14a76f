import Clocks
import Foundation
import NIOCore

/// Everything an upload does to the world, one method per kind of step ``UploadDriver``
/// performs: the requests to Graph and the upload host, the pacing, the reads and checks of
/// the file, and the clock. The driver decides nothing (``UploadStateMachine`` does) and
/// touches nothing but these; ``LiveUploadEffects`` is the world, and a test scripts its own.
///
/// Errors: the requests throw ``GraphError`` when the server answered or failed to, and
/// `CancellationError` when the task was cancelled.
protocol UploadEffects: Sendable {
    // MARK: Graph and the upload host

    /// `POST …/attachments/createUploadSession` for the file.
    func createSession() async throws -> UploadSession
    /// The ids of the item's attachments named like the file; `nil` when they could not be listed.
    func attachmentsNamedLikeTheFile() async -> Set<String>?
    /// `PUT` these bytes of the file to the session; `onChunk` hears of each piece as it goes.
    func put(_ range: Range<Int64>, to url: UploadURL, onChunk: @escaping @Sendable (ByteBuffer) -> Void) async throws -> RangeReply
    /// `GET` the session: which bytes it still expects.
    func sessionStatus(_ url: UploadURL) async throws -> UploadSessionStatus
    /// `DELETE` the session: `true` when it was there, `false` when already gone, `nil`
    /// when that could not be learnt (its host unreachable).
    func deleteSession(_ url: UploadURL) async -> Bool?
    /// Looks on the item for this upload's attachment (``AttachmentSearch``).
    func findAttachment(_ search: AttachmentSearch) async throws -> AttachmentInfo?
    /// Removes an attachment of the file from the item; whether it could.
    func deleteAttachment(_ id: String) async -> Bool
    /// `POST …/attachments` with the whole file.
    func post(_ contents: ByteBuffer) async throws -> AttachmentInfo
    /// The earliest Graph's own clock can have read at `instant`, from the `Date` of its
    /// replies so far.
    func serverTime(at instant: ContinuousClock.Instant) -> Date?
    /// Requests from now on clean up after a stop: they get less time, so a dead server
    /// cannot hold a Ctrl-C for minutes.
    func cleaningUp()

    // MARK: Pacing

    /// Waits until the mailbox's upload budget lets `bytes` go; `nil` when `shouldStop` said
    /// to stop first.
    func pace(_ bytes: Int64, onWait: @escaping @Sendable (Duration) -> Void, shouldStop: @escaping @Sendable () -> Bool) async -> UploadPacer.Ticket?
    /// How a paced send ended (`failure` nil: the server took it). A 429 does not count
    /// against the budget, and its `Retry-After` teaches the pacer; any other failure
    /// counts, but as nothing the server was seen to take.
    func endPaced(_ ticket: UploadPacer.Ticket, failure: (any Error)?) async
    /// A 429 on any request: no send to the mailbox starts until `duration` has passed.
    func holdMailbox(for duration: Duration) async

    // MARK: The file

    /// The whole file, for a single `POST`; throws when it cannot be read, and when it does
    /// not hold exactly the bytes its size says.
    func readWholeFile() async throws -> ByteBuffer
    /// How the file changed since the upload opened it, or `nil`.
    func checkFile() async -> SourceFileGuard.Change?
    /// ``checkFile()``, then, for a file written just before its upload, every range sent
    /// read again and compared with what went.
    func confirmFile() async -> SourceFileGuard.Change?
    /// Whether what is sent must be hashed as it goes (``SourceFileGuard/hashesWhatIsSent``).
    var hashesWhatIsSent: Bool { get }
    /// What went in a range sent whole, for ``confirmFile()``.
    func recordSent(_ range: Range<Int64>, sha256: [UInt8])

    /// The SHA-256 of the whole file, for a read back to compare with.
    func fileSHA256() async throws -> String
    /// The SHA-256 of the attachment's bytes (`$value`), read back.
    func attachmentSHA256(_ id: String) async throws -> String

    // MARK: Time

    /// The clock retry waits are kept by.
    var clock: AttacheClock { get }
}

/// A paced send that never left (the journal could not record it first): it counts for nothing.
struct NeverSent: Error {}
