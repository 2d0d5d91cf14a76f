import Foundation
import HTTPTypes

/// The OData system query options the emulator honours: `$select`, `$top`, `$skip`,
/// `$expand=attachments($select=…)`, `$search`, `$filter` (`contains(subject,'…')` only),
/// and `$skiptoken` (the pages of a search). `$orderby` is read so it can be refused where
/// Graph refuses it.
struct ODataQuery: Hashable, Sendable {
    var select: [String]?
    var top: Int?
    var skip: Int?
    var expandAttachments = false
    var expandSelect: [String]?
    /// `$search`, as sent (quotes and all).
    var search: String?
    /// `$filter`, as sent.
    var filter: String?
    var orderBy: String?
    var skipToken: String?
    /// `$top` or `$skip` as sent when it is not a non-negative integer: refused by
    /// ``validate()`` as Graph refuses it, never taken as "no value".
    var invalidPaging: InvalidOption?

    struct InvalidOption: Hashable, Sendable {
        var option: String
        var value: String
    }
    /// Any other parameter (such as `authtoken`), decoded.
    var parameters: [String: String] = [:]

    init(rawQuery: String?) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        for pair in rawQuery.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = GraphRoute.percentDecode(String(parts[0]).replacingOccurrences(of: "+", with: " "))
            let value = parts.count > 1 ? GraphRoute.percentDecode(String(parts[1]).replacingOccurrences(of: "+", with: " ")) : ""
            switch name.lowercased() {
            case "$select": select = Self.list(value)
            case "$top": top = paging("$top", value)
            case "$skip": skip = paging("$skip", value)
            case "$expand": parseExpand(value)
            case "$search": search = value
            case "$filter": filter = value
            case "$orderby": orderBy = value
            case "$skiptoken": skipToken = value
            default: parameters[name] = value
            }
        }
    }

    /// A non-negative integer, or `nil` with the value kept for ``validate()``.
    private mutating func paging(_ option: String, _ value: String) -> Int? {
        guard value.allSatisfy(\.isASCII), let number = Int(value), number >= 0 else {
            if invalidPaging == nil { invalidPaging = InvalidOption(option: option, value: value) }
            return nil
        }
        return number
    }

    /// Refuses what Graph refuses in any request: a `$top` or `$skip` that is not a
    /// non-negative integer, with the OData library's words (quoted by
    /// dcblogdev/laravel-microsoft-graph #90 for `$top`; `$skip` has the same form).
    func validate() throws(GraphErrorResponse) {
        guard let invalid = invalidPaging else { return }
        let (option, value) = (invalid.option, invalid.value)
        throw GraphErrorResponse(
            .badRequest, "BadRequest",
            "Invalid value '\(value)' for \(option) query option found. The \(option) query option requires a non-negative integer value.")
    }

    private mutating func parseExpand(_ value: String) {
        // attachments or attachments($select=a,b)
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("attachments") else { return }
        expandAttachments = true
        guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else { return }
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        for option in inner.split(separator: ";") {
            let parts = option.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "$select" {
                expandSelect = Self.list(String(parts[1]))
            }
        }
    }

    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
