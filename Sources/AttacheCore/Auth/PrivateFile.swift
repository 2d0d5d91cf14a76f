import Foundation

/// A small file only its owner may read (0600, in a 0700 folder): the token file and the
/// list of accounts. It is never reached through a symbolic link, and it is replaced whole,
/// through a synced temporary file and a rename, so a crash leaves the old contents or the
/// new, never part of either.
struct PrivateFile: Sendable {
    let path: String

    /// The contents, or nil when there is no such file. Anything but a regular file (a FIFO
    /// would wait for a writer; a directory reads as nothing) is refused.
    ///
    /// - Parameter secret: the file holds secrets: refuse it when others may read it (or
    ///   another user owns it), saying how to keep it or replace it.
    func read(secret: Bool = false) throws -> Data? {
        do throws(RegularFile.Problem) {
            return try RegularFile.read(path, followingLinks: false, secret: secret)
        } catch .notFound {
            return nil
        } catch .readableByOthers(let mode) {
            throw self.error(
                "can be read by others (mode \(mode)), so its tokens may have been read: attache will not use it; `chmod 600 \(path)` keeps it; to replace the tokens, \(Advice.signOutAndIn)")
        } catch {
            throw self.error(error.description)
        }
    }

    /// Replaces the contents with `data`.
    func replace(with data: Data) throws {
        makeFolder()
        let temporary = path + ".\(getpid()).tmp"
        // One left by a crashed process that had this pid goes first, so that O_EXCL can
        // make sure the file written is new, and so 0600.
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw error("cannot be written (\(Self.lastError))") }
        let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            let reason = Self.lastError
            unlink(temporary)
            throw error("cannot be written (\(reason))")
        }
    }

    /// Makes the folder the file is in (0700) when it is missing.
    func makeFolder() {
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func error(_ problem: String) -> TokenStoreError {
        TokenStoreError(location: path, problem: problem)
    }

    static var lastError: String { String(cString: strerror(errno)) }
}
