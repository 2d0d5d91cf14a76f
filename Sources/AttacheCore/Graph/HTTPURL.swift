import Foundation

/// An absolute `http` or `https` URL that is safe to hand to the HTTP client: a host, a port
/// from 1 to 65535 when one is given, and no user or password in it.
///
/// The HTTP client traps on a port it cannot represent, so every URL attache did not write
/// itself (`--graph`, an `uploadUrl`, an `@odata.nextLink`) goes through here first.
public struct HTTPURL: Hashable, Sendable {
    /// Why a string is not such a URL.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let scheme: String
    public let host: String
    public let port: Int?

    public init(validating text: String) throws(Problem) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Problem(description: "not a URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw Problem(description: "not an http:// or https:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Problem(description: "it names no host")
        }
        guard components.user == nil, components.password == nil else {
            throw Problem(description: "it carries a user name or password")
        }
        // URLComponents reads any run of digits as the port, and traps past Int.max.
        let port = Self.portText(of: text)
        if let port {
            guard let value = Int(port), (1...65535).contains(value) else {
                throw Problem(description: "its port \(port.count > 12 ? String(port.prefix(12)) + "…" : port) is not from 1 to 65535")
            }
        }
        self.scheme = scheme
        self.host = host
        self.port = port.flatMap { Int($0) }
    }

    /// Whether the host is this machine (`localhost`, 127.0.0.0/8, `::1`), where plain
    /// `http` crosses no network.
    public var isLoopback: Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        return bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1
    }

    /// The text after the host's `:` and before the path, if any.
    private static func portText(of text: String) -> String? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        if hostAndPort.hasPrefix("[") {
            guard let close = hostAndPort.firstIndex(of: "]") else { return nil }
            let after = hostAndPort[hostAndPort.index(after: close)...]
            return after.hasPrefix(":") ? String(after.dropFirst()) : nil
        }
        guard let colon = hostAndPort.lastIndex(of: ":") else { return nil }
        return String(hostAndPort[hostAndPort.index(after: colon)...])
    }
}
