import Crypto
import NIOCore
import _NIOFileSystem

/// A cheap identity for a file's contents: SHA-256 over its size and its first and last
/// 64 KiB. Enough to notice a file replaced or rewritten between an upload and its resume.
public enum FileFingerprint {
    public static func compute(path: String, size: Int64) async throws -> String {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(platformPath: path)) { handle in
            var hasher = SHA256()
            withUnsafeBytes(of: size.littleEndian) { hasher.update(bufferPointer: $0) }
            let window: Int64 = 64 * 1024
            let head = try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(min(window, size)))
            head.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            if size > window {
                let tailStart = max(window, size - window)
                let tail = try await handle.readChunk(fromAbsoluteOffset: tailStart, length: .bytes(size - tailStart))
                tail.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            }
            return hasher.finalize().hexString
        }
    }
}
