import _NIOFileSystem

extension FilePath {
    /// The file path a ``PlatformPath`` string stands for, byte for byte (`FilePath(String)`
    /// would write its bytes that are not UTF-8 as private-use code points, naming no file).
    init(platformPath path: String) {
        self = PlatformPath.withCString(path) { FilePath(platformString: $0) }
    }
}
