/// Picks an attachment's content type: the one declared, else by extension, else by the
/// first bytes (the seed's `flower` has no extension and comes back as `image/jpeg`).
enum ContentSniffer {
    static let byExtension: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "pdf": "application/pdf",
        "zip": "application/zip", "txt": "text/plain", "csv": "text/csv", "json": "application/json", "html": "text/html",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "mp4": "video/mp4", "mp3": "audio/mpeg", "gz": "application/gzip", "tar": "application/x-tar", "ics": "text/calendar",
    ]

    static func contentType(declared: String?, name: String, head: [UInt8]) -> String {
        if let declared, !declared.isEmpty { return declared }
        if let dot = name.lastIndex(of: "."), let type = byExtension[name[name.index(after: dot)...].lowercased()] {
            return type
        }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if head.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if head.starts(with: Array("%PDF".utf8)) { return "application/pdf" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        return "application/octet-stream"
    }
}
