import Crypto
import Foundation
import NIOCore
import Synchronization
import _NIOFileSystem

/// Keeps an upload honest about its file. Between requests, the file must still be the one
/// that was checked: the same inode at the path, the same size, modification time and
/// kernel change time.
///
/// The change time moves on every write and no user can set it back, so for a file left
/// alone for a while before the upload (``settled``) an unchanged one proves the bytes did
/// not change, even under a rewrite that kept the size and put the modification time back.
/// For a file written just before (a change within the timestamps' granularity could leave
/// the time as it was), every range sent by this run is hashed as it goes and, once the
/// attachment exists, read again and compared. Hashing every byte twice on the critical path
/// cost a third of an upload's CPU, so only such files pay it.
///
/// Ranges a previous run sent cannot be re-checked here; a resume relies on the journal's
/// size, time and fingerprint for those.
struct SourceFileGuard: Sendable {
    let path: String
    /// The file as it was when the upload opened it.
    let identity: FileIdentity
    /// The file's change time was well before the upload opened it: any later write moves it.
    let settled: Bool
    /// SHA-256 of each range sent in full, by range (unsettled files only).
    private(set) var sent: [Range<Int64>: [UInt8]] = [:]

    /// How long before the opening the file's last change must be for its change time alone
    /// to prove it unchanged: coarser than any file system's timestamps (FAT keeps 2 s).
    static let settleTime: TimeInterval = 3

    /// Whether this run must hash what it sends (``recordSent(_:digest:)``).
    var hashesWhatIsSent: Bool { !settled }

    /// Takes the identity of the open file, or says how it differs from `file` as checked
    /// before the upload (it changed between the check and the opening). `now` is the wall
    /// clock, which the file's change time is kept by.
    static func open(_ handle: ReadFileHandle, checked file: LocalFile, now: Date = Date()) async throws -> Result<SourceFileGuard, Change> {
        let identity = try await Self.identity(of: handle)
        if identity.size != file.size {
            return .failure(Change("its size went from \(file.size) to \(identity.size) bytes"))
        }
        if abs(identity.modified - file.modified) > 0.001 {
            return .failure(Change("it was modified"))
        }
        let settled = now.timeIntervalSince1970 - identity.changed > settleTime
        return .success(SourceFileGuard(path: file.path, identity: identity, settled: settled))
    }

    /// How the file changed, as a phrase for a message.
    struct Change: Error, Hashable, Sendable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Says how the file changed since it was opened, or `nil` when it has not.
    func check(_ handle: ReadFileHandle) async -> Change? {
        let now: FileIdentity
        do {
            now = try await Self.identity(of: handle)
        } catch {
            return Change("it can no longer be read")
        }
        if now.size != identity.size { return Change("its size went from \(identity.size) to \(now.size) bytes") }
        if now.modifiedSeconds != identity.modifiedSeconds || now.modifiedNanoseconds != identity.modifiedNanoseconds {
            return Change("it was written to while being uploaded")
        }
        if now.changedSeconds != identity.changedSeconds || now.changedNanoseconds != identity.changedNanoseconds {
            return Change("it was written to, or its permissions changed, while being uploaded")
        }
        guard let named = FileIdentity.at(path: path) else { return Change("it was removed or renamed") }
        if !named.isSameFile(as: identity) { return Change("another file took its place") }
        return nil
    }

    mutating func recordSent(_ range: Range<Int64>, digest: [UInt8]) {
        guard hashesWhatIsSent else { return }
        sent[range] = digest
    }

    /// Checks the file once more; for a file that was not settled, then reads every range
    /// sent again and compares digests.
    func confirm(_ handle: ReadFileHandle) async -> Change? {
        if let change = await check(handle) { return change }
        guard hashesWhatIsSent else { return nil }
        for (range, digest) in sent.sorted(by: { $0.key.lowerBound < $1.key.lowerBound }) {
            var hasher = SHA256()
            do {
                for try await chunk in handle.readChunks(in: range, chunkLength: .mebibytes(1)) {
                    chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                }
            } catch {
                return Change("it can no longer be read")
            }
            if Array(hasher.finalize()) != digest {
                return Change("bytes \(range.lowerBound)-\(range.upperBound - 1) differ from what was sent")
            }
        }
        return nil
    }

    static func identity(of handle: ReadFileHandle) async throws -> FileIdentity {
        guard let status = try await handle.info().platformSpecificStatus else { throw Change("its status cannot be read") }
        return FileIdentity(status)
    }
}

/// The SHA-256 of a request body, fed as its chunks go out.
final class RangeDigest: Sendable {
    private let hasher = Mutex(SHA256())
    private let count = Mutex<Int64>(0)

    func update(_ chunk: ByteBuffer) {
        hasher.withLock { hasher in chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        count.withLock { $0 += Int64(chunk.readableBytes) }
    }

    /// The digest, when exactly `length` bytes went through.
    func finalize(expecting length: Int64) -> SHA256.Digest? {
        guard count.withLock({ $0 }) == length else { return nil }
        return hasher.withLock { $0.finalize() }
    }
}
