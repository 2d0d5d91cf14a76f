import Crypto
import NIOCore
import _NIOFileSystem

/// The SHA-256 of a whole file, read in 1 MiB pieces (never the whole file in memory).
public enum FileDigest {
    public static func sha256(path: String) async throws -> String {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(platformPath: path)) { handle in
            var hasher = SHA256()
            for try await chunk in handle.readChunks(chunkLength: .mebibytes(1)) {
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            }
            return hasher.finalize().hexString
        }
    }
}
