import Crypto
import Foundation
import NIOCore
import _NIOFileSystem

extension GraphResponder {
    /// The SHA-256 of a file in hex, read in pieces (an attachment may be 150 MB, a shared
    /// file more); a file that is not there hashes as no bytes.
    static func sha256Hex(ofFile path: String) async throws -> String {
        var hasher = SHA256()
        if FileManager.default.fileExists(atPath: path) {
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                for try await chunk in handle.readChunks(chunkLength: .mebibytes(1)) { hasher.update(data: chunk.readableBytesView) }
            }
        }
        return hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}
