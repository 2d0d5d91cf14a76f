import Foundation

/// The line a shared file gets in its item's body, in the body's own kind (HTML or text),
/// added after what the body holds without changing any of it.
public struct LinkLine: Hashable, Sendable {
    public var fileName: String
    public var fileSize: Int64
    public var link: SharedLink

    public init(fileName: String, fileSize: Int64, link: SharedLink) {
        self.fileName = fileName
        self.fileSize = fileSize
        self.link = link
    }

    /// `report.bin (200 MiB) on OneDrive, for people in your organization with the link: URL`.
    public var text: String {
        "\(fileName) (\(ByteCount(fileSize))) on OneDrive, for \(link.scope.audience): \(link.webURL)"
    }

    /// The same as one HTML paragraph, the name a link, every piece escaped.
    public var html: String {
        let url = Self.escape(link.webURL)
        return "<p>\(Self.escape("📎")) <a href=\"\(url)\">\(Self.escape(fileName))</a> (\(Self.escape(ByteCount(fileSize).description))) "
            + "on OneDrive, for \(Self.escape(link.scope.audience))</p>"
    }

    /// The body with the line added: before `</body>` in an HTML document, at the end
    /// otherwise; `nil` when the body already holds the link (a resume that had placed it).
    public func added(to body: String, isHTML: Bool) -> String? {
        guard !body.contains(link.webURL), !body.contains(Self.escape(link.webURL)) else { return nil }
        guard isHTML else {
            let trimmed = body.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            return trimmed.isEmpty ? text + "\n" : trimmed + "\n\n" + text + "\n"
        }
        if let close = body.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
            return body.replacingCharacters(in: close, with: html + "\n" + body[close])
        }
        return body + html
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
