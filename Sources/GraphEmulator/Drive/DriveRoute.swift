import Foundation

/// Which OneDrive resource a path names, in the forms Graph documents:
///
/// - `/v1.0/me/drive/root`, `/v1.0/me/drive/items/{id}`, and `…/children`, `…/createLink`, `…/content`;
/// - `/v1.0/me/drive/root:/{path}:` and `/v1.0/me/drive/items/{parent-id}:/{path}:`, with the
///   same actions after a last `:`, `createUploadSession` among them;
/// - the upload URL on the upload host: `/up/{session-id}?authtoken=…`.
///
/// Only the signed-in user's drive (`me`) is served.
enum DriveRoute: Hashable, Sendable {
    /// An item: by id (`root` for the root), then a path below it, maybe empty.
    struct Reference: Hashable, Sendable {
        var itemID: String
        var path: [String]
    }

    case item(Reference)
    case children(Reference)
    case createUploadSession(Reference)
    case createLink(Reference)
    case content(Reference)
    case uploadSession(String)
    /// A file's pre-authenticated download URL on the upload host: `/down/{item-id}?authtoken=…`.
    case download(String)

    /// Parses a raw (still percent-encoded) path; `nil` when it is not a drive path.
    static func parse(_ rawPath: String) -> DriveRoute? {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.count == 2, segments[0] == "up" { return .uploadSession(GraphRoute.percentDecode(segments[1])) }
        if segments.count == 2, segments[0] == "down" { return .download(GraphRoute.percentDecode(segments[1])) }
        guard segments.count >= 3, ["v1.0", "beta"].contains(segments[0].lowercased()) else { return nil }
        guard segments[1].lowercased() == "me", segments[2].lowercased() == "drive",
            let drive = rawPath.range(of: "/" + segments[2])
        else { return nil }
        var rest = rawPath[drive.upperBound...]
        guard rest.hasPrefix("/") else { return nil }
        rest = rest.dropFirst()
        let itemID: String
        if rest.lowercased().hasPrefix("root") {
            itemID = "root"
            rest = rest.dropFirst(4)
        } else if rest.lowercased().hasPrefix("items/") {
            rest = rest.dropFirst(6)
            let end = rest.firstIndex { $0 == "/" || $0 == ":" } ?? rest.endIndex
            itemID = GraphRoute.percentDecode(String(rest[..<end]))
            guard !itemID.isEmpty else { return nil }
            rest = rest[end...]
        } else {
            return nil
        }
        var path: [String] = []
        if rest.hasPrefix(":") {
            // `:/a/b.bin:` then maybe `/action`; a path with no closing colon ends the URL.
            let inner = rest.dropFirst()
            let close = inner.firstIndex(of: ":") ?? inner.endIndex
            path = inner[..<close].split(separator: "/", omittingEmptySubsequences: true).map { GraphRoute.percentDecode(String($0)) }
            rest = close == inner.endIndex ? "" : inner[inner.index(after: close)...]
        }
        let reference = Reference(itemID: itemID, path: path)
        switch rest.lowercased() {
        case "", "/": return .item(reference)
        case "/children": return .children(reference)
        case "/createuploadsession", "/microsoft.graph.createuploadsession": return .createUploadSession(reference)
        case "/createlink", "/microsoft.graph.createlink": return .createLink(reference)
        case "/content": return .content(reference)
        default: return nil
        }
    }
}
