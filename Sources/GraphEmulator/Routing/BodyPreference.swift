import Foundation
import HTTPTypes

/// `Prefer: outlook.body-content-type="text"` (or `"html"`): the content type a request
/// wants bodies in. Outlook converts the body and says so in `Preference-Applied`.
struct BodyPreference: Hashable, Sendable {
    static let preferField = HTTPField.Name("Prefer")!
    static let appliedField = HTTPField.Name("Preference-Applied")!

    /// `text` or `html`; `nil` when the request states no (valid) preference.
    var contentType: String?

    init(_ headers: HTTPFields) {
        // Several preferences may share one header, or come in several.
        for value in headers[values: Self.preferField] {
            for preference in value.split(separator: ",") {
                let parts = preference.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0].lowercased() == "outlook.body-content-type" else { continue }
                let wanted = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
                if wanted == "text" || wanted == "html" { contentType = wanted }
            }
        }
    }

    /// `Preference-Applied` for the reply, when a preference was honoured.
    var appliedHeaders: HTTPFields {
        guard let contentType else { return [:] }
        return [Self.appliedField: "outlook.body-content-type=\"\(contentType)\""]
    }
}
