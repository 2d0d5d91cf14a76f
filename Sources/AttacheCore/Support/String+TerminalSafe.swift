extension String {
    /// The string with every character a terminal or a log reader would act on written out
    /// as an escape, so that text from a server or a file name can neither move the cursor,
    /// clear the screen, set the window title, ring the bell nor start a forged log line.
    ///
    /// C0 controls and DEL become `\t`, `\n`, `\r` or `\xHH`; C1 controls, the Unicode
    /// bidirectional overrides and isolates (which reorder what is shown) and the line and
    /// paragraph separators U+2028 and U+2029 (which some terminals and log readers break
    /// lines at, so a forged line could follow) become `\u{HHHH}`.
    /// A byte of a file name that is not UTF-8, carried as ``PlatformPath`` carries it,
    /// becomes `\xHH`. Everything else, wide and combining characters included, is kept as
    /// it is.
    public var terminalSafe: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            guard Self.needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            if PlatformPath.isRawByte(scalar) {
                // A byte of a file name that is not UTF-8 (see PlatformPath): as the byte.
                out += "\\x" + String(scalar.value - PlatformPath.base, radix: 16)
                continue
            }
            switch scalar.value {
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0..<0x80: out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4) + "}"
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F..<0xA0: true
        // LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI.
        case 0x202A...0x202E, 0x2066...0x2069: true
        // LINE SEPARATOR, PARAGRAPH SEPARATOR.
        case 0x2028, 0x2029: true
        default: PlatformPath.isRawByte(scalar)
        }
    }
}
