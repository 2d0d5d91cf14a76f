import Foundation

/// How filters match what people type: case and accents ignored (`cafe` finds “Café”),
/// width-insensitive too, so full-width letters match their ASCII forms.
enum TextMatch {
    static func contains(_ text: String, _ typed: String) -> Bool {
        guard !typed.isEmpty else { return true }
        return text.range(of: typed, options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive]) != nil
    }
}
