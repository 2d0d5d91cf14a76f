import Foundation

extension EmulatorConfiguration {
    /// Who can reach an emulator, judged from its host and tokens before it listens.
    public enum Exposure: Sendable, Hashable {
        /// This machine only: 127.0.0.0/8, ::1 or `localhost`.
        case loopback
        /// Other machines too, and every token is one the user chose.
        case network
        /// Other machines too, with the documented token (or an empty one): anyone who can
        /// reach it could read and change the mailbox. The emulator will not listen so.
        case refused
    }

    /// Where this configuration would listen, and whether it may.
    public var exposure: Exposure {
        Self.exposure(host: host, tokens: tokens.map(\.token))
    }

    /// Loopback is open to any token; another host only to tokens that are neither empty
    /// nor ``developerToken``, which the docs print for all to read.
    public static func exposure(host: String, tokens: [String]) -> Exposure {
        if isLoopback(host) { return .loopback }
        return tokens.allSatisfy { !$0.isEmpty && $0 != developerToken } ? .network : .refused
    }

    /// Whether `host` names this machine only: an IPv4 address in 127.0.0.0/8, `::1` (also
    /// written in full, or as `::ffff:127.x.y.z`), or `localhost`. Any other name is taken
    /// as reaching out: it is not looked up.
    public static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return bytes[15] == 1 }
        let mappedV4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mappedV4 && bytes[12] == 127
    }
}

/// The emulator was asked to listen beyond loopback with a token anyone knows.
public struct EmulatorExposureError: Error, CustomStringConvertible {
    public var host: String
    public var description: String {
        "the Graph emulator will not listen on \(host), which other machines can reach, with the documented token \(EmulatorConfiguration.developerToken) or an empty one; give it a token of your own, or listen on 127.0.0.1"
    }
}
