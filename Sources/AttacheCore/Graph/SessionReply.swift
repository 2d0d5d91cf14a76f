/// An upload session as the server writes it, read with keys in any case: Graph answers
/// `createUploadSession` in camelCase (`uploadUrl`, `nextExpectedRanges`), the upload host
/// answers `PUT` and `GET` in PascalCase (`NextExpectedRanges`, `ExpirationDateTime`).
struct SessionReply: Decodable {
    var uploadUrl: String?
    var expirationDateTime: String?
    var nextExpectedRanges: [String]?

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        func key(_ name: String) -> AnyKey? {
            container.allKeys.first { $0.stringValue.lowercased() == name.lowercased() }
        }
        uploadUrl = try key("uploadUrl").flatMap { try container.decodeIfPresent(String.self, forKey: $0) }
        expirationDateTime = try key("expirationDateTime").flatMap { try container.decodeIfPresent(String.self, forKey: $0) }
        nextExpectedRanges = try key("nextExpectedRanges").flatMap { try container.decodeIfPresent([String].self, forKey: $0) }
    }
}
