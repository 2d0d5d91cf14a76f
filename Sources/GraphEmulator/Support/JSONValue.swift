import Foundation

/// A JSON value whose objects keep their key order, so replies read like Graph's
/// (`@odata.context` first) and tests can compare them with the seed's text.
enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.elementsEqual(y) { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(serialized())
    }

    /// The value with only these keys of an object (plus those always kept), in its own order.
    func selecting(_ keys: [String]?, alwaysKeeping kept: Set<String> = ["id", "@odata.type", "@odata.etag", "@odata.mediaContentType"]) -> JSONValue {
        guard let keys, case .object(let pairs) = self else { return self }
        let wanted = Set(keys.map { $0.lowercased() })
        return .object(pairs.filter { wanted.contains($0.0.lowercased()) || kept.contains($0.0) })
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// Compact JSON text.
    func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(pair.0, into: &out)
                out += ":"
                pair.1.write(into: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += "\\u" + String(c.value, radix: 16).leftPadded(to: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Parses request bodies (objects of strings, numbers, booleans). Keys keep their order.
    static func parse(_ data: Data) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return from(object)
    }

    private static func from(_ object: Any) -> JSONValue? {
        switch object {
        case is NSNull: return .null
        case let value as String: return .string(value)
        case let value as NSNumber:
            // JSON booleans come back as NSNumbers of Objective-C type "c" (char).
            if String(cString: value.objCType) == "c" { return .bool(value.boolValue) }
            return .int(value.int64Value)
        case let value as [Any]: return .array(value.compactMap(from))
        case let value as [String: Any]:
            return .object(value.keys.sorted().compactMap { key in from(value[key]!).map { (key, $0) } })
        default: return nil
        }
    }

    /// Looks a key up without regard to case, as Graph reads request bodies.
    func value(forKeyIgnoringCase key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0.lowercased() == key.lowercased() }?.1
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .string(let value): return Int64(value)
        default: return nil
        }
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
