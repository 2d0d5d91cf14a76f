// `struct dirent`'s members resolve to libdispatch's C module under member import visibility
// (which module a clean build loads first decides it): name it, so every build agrees.
#if canImport(CDispatch)
import CDispatch
#endif
import Foundation

/// Paths as the file system has them: bytes, which need not be UTF-8 (a name written on an
/// older system in Latin-1, `caf\xe9.txt`). Swift strings hold Unicode alone, and Foundation
/// turns such a name into one that names no file, so attache carries paths in strings where
/// each byte that is not part of valid UTF-8 stands as one code point of a private-use
/// block, U+10FE80 to U+10FEFF for the bytes 0x80 to 0xFF, and turns them back into those
/// bytes at every call to the system. The mapping is exact both ways: the UTF-8 of a code
/// point of that block, should a name hold one, is carried byte by byte too.
///
/// What is shown writes such a byte as `\xe9` (``Swift/String/terminalSafe``); what goes to
/// a server, which takes Unicode alone, as U+FFFD (``text(_:)``).
public enum PlatformPath {
    /// The first code point standing for a byte: 0x80 maps to it, 0xFF to its 128th.
    static let base: UInt32 = 0x10FE00

    /// Whether a code point stands for a byte.
    public static func isRawByte(_ scalar: Unicode.Scalar) -> Bool {
        (base + 0x80...base + 0xFF).contains(scalar.value)
    }

    /// The string for a path or name as the file system gave it.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if let (scalar, length) = scalar(at: index, in: bytes), !isRawByte(scalar) {
                out.append(scalar)
                index += length
                continue
            }
            // Not UTF-8 here (or a code point that itself stands for a byte): the byte alone.
            out.append(Unicode.Scalar(base + UInt32(bytes[index]))!)
            index += 1
        }
        return String(out)
    }

    /// The bytes a path string stands for (without a terminating NUL).
    public static func encode(_ path: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if isRawByte(scalar) {
                bytes.append(UInt8(scalar.value - base))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// Calls `body` with the path's bytes as a C string, for a system call.
    public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        guard path.unicodeScalars.contains(where: isRawByte) else { return try path.withCString(body) }
        let bytes = encode(path).map { CChar(bitPattern: $0) } + [0]
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The name as Unicode, for a server: each byte that is not UTF-8 as U+FFFD, as a
    /// lossy decoding gives it.
    public static func text(_ name: String) -> String {
        guard name.unicodeScalars.contains(where: isRawByte) else { return name }
        return String(String.UnicodeScalarView(name.unicodeScalars.map { isRawByte($0) ? "\u{FFFD}" : $0 }))
    }

    /// The names in a folder, as the file system has them, `.` and `..` left out.
    /// - Throws: `POSIXError` with the reason the folder cannot be read.
    public static func contentsOfDirectory(_ path: String) throws -> [String] {
        guard let handle = withCString(path, { opendir($0) }) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return decode(bytes)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The UTF-8 code point at `index`, and how many bytes it takes; `nil` where the bytes
    /// are not well-formed UTF-8 (overlong forms, surrogates and code points past U+10FFFF
    /// included).
    static func scalar(at index: Int, in bytes: [UInt8]) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int
        var value: UInt32
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: (length, value) = (2, UInt32(lead & 0x1F))
        case 0xE0: (length, value, low) = (3, 0, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: (length, value) = (3, UInt32(lead & 0x0F))
        case 0xED: (length, value, high) = (3, 0x0D, 0x9F)
        case 0xF0: (length, value, low) = (4, 0, 0x90)
        case 0xF1...0xF3: (length, value) = (4, UInt32(lead & 0x07))
        case 0xF4: (length, value, high) = (4, 4, 0x8F)
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (min, max): (UInt8, UInt8) = offset == 1 ? (low, high) : (0x80, 0xBF)
            guard byte >= min, byte <= max else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return Unicode.Scalar(value).map { ($0, length) }
    }
}
