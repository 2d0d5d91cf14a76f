/// The emulator's TLS authority could not be made or read.
public struct EmulatorTLSError: Error, Sendable, CustomStringConvertible {
    public var directory: String
    public var reason: String
    public var description: String { "the emulator's certificate authority in \(directory) could not be made or read: \(reason)" }
}
