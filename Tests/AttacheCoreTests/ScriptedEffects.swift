import Clocks
import Foundation
import NIOCore
import Synchronization

@testable import AttacheCore

/// A world for ``UploadDriver`` that answers from a script: each request takes the next
/// answer of its kind, and every call is noted, so a test says what the server does and then
/// reads what the driver did, in microseconds, with time on a ``ManualClock``.
final class ScriptedEffects: UploadEffects {
    /// What a scripted request does.
    enum Answer<T: Sendable>: Sendable {
        case value(T)
        case graphError(GraphError)
    }

    struct Script {
        var sessions: [Answer<UploadSession>] = []
        var puts: [Answer<RangeReply>] = []
        var statuses: [Answer<UploadSessionStatus>] = []
        var found: [Answer<AttachmentInfo?>] = []
        var posts: [Answer<AttachmentInfo>] = []
        var deletes: [Bool?] = []
        var prior: Set<String>? = []
    }

    private let script: Mutex<Script>
    private let noted = Mutex<[String]>([])
    let file: ByteBuffer
    let clock: AttacheClock
    let hashesWhatIsSent = false

    init(_ script: Script, file size: Int, clock: AttacheClock) {
        self.script = Mutex(script)
        self.file = ByteBuffer(repeating: 0x61, count: size)
        self.clock = clock
    }

    /// Every call so far, as `"put 0-327679"`, `"create"`, `"delete"`.
    var calls: [String] { noted.withLock { $0 } }

    private func note(_ call: String) { noted.withLock { $0.append(call) } }

    private func next<T>(_ path: WritableKeyPath<Script, [Answer<T>]>, _ call: String) throws -> T {
        note(call)
        let answer = script.withLock { script -> Answer<T>? in
            guard !script[keyPath: path].isEmpty else { return nil }
            return script[keyPath: path].removeFirst()
        }
        switch answer {
        case .value(let value): return value
        case .graphError(let error): throw error
        case nil: throw GraphError(kind: .malformedReply, message: "the script has no answer for \(call)", operation: call)
        }
    }

    func createSession() async throws -> UploadSession { try next(\.sessions, "create") }
    func attachmentsNamedLikeTheFile() async -> Set<String>? { script.withLock { $0.prior } }

    func put(_ range: Range<Int64>, to url: UploadURL, onChunk: @escaping @Sendable (ByteBuffer) -> Void) async throws -> RangeReply {
        onChunk(file.getSlice(at: Int(range.lowerBound), length: range.count) ?? ByteBuffer())
        return try next(\.puts, "put \(range.lowerBound)-\(range.upperBound - 1)")
    }

    func sessionStatus(_ url: UploadURL) async throws -> UploadSessionStatus { try next(\.statuses, "status") }

    func deleteSession(_ url: UploadURL) async -> Bool? {
        note("delete")
        return script.withLock { $0.deletes.isEmpty ? true : $0.deletes.removeFirst() }
    }

    func findAttachment(_ search: AttachmentSearch) async throws -> AttachmentInfo? { try next(\.found, "find") }
    func deleteAttachment(_ id: String) async -> Bool {
        note("delete attachment \(id)")
        return true
    }
    func post(_ contents: ByteBuffer) async throws -> AttachmentInfo { try next(\.posts, "post") }
    func serverTime(at instant: ContinuousClock.Instant) -> Date? { Date(timeIntervalSince1970: 1_800_000_000) }
    func cleaningUp() {}

    func pace(_ bytes: Int64, onWait: @escaping @Sendable (Duration) -> Void, shouldStop: @escaping @Sendable () -> Bool) async -> UploadPacer.Ticket? {
        UploadPacer.Ticket(id: 0)
    }
    func endPaced(_ ticket: UploadPacer.Ticket, failure: (any Error)?) async {}
    func holdMailbox(for duration: Duration) async { note("hold \(duration)") }

    func readWholeFile() async throws -> ByteBuffer { file }
    func checkFile() async -> SourceFileGuard.Change? { nil }
    func confirmFile() async -> SourceFileGuard.Change? {
        note("confirm")
        return nil
    }
    func recordSent(_ range: Range<Int64>, sha256: [UInt8]) {}
    func fileSHA256() async throws -> String { "" }
    func attachmentSHA256(_ id: String) async throws -> String { "" }
}
