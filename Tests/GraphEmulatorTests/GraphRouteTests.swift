import Testing

@testable import GraphEmulator

@Suite("Parsing Graph paths")
struct GraphRouteTests {
    @Test func graphStylePaths() {
        #expect(GraphRoute.parse("/v1.0/me/messages") == .items(.me, .message))
        #expect(GraphRoute.parse("/v1.0/me/events/") == .items(.me, .event))
        #expect(GraphRoute.parse("/v1.0/me/messages/AAMkADI5MAAIT3drCAAA=") == .item(.me, .message, "AAMkADI5MAAIT3drCAAA="))
        #expect(GraphRoute.parse("/v1.0/me/messages/AAMkADI5MAAIT3drCAAA=/attachments/createUploadSession") == .createUploadSession(.me, .message, "AAMkADI5MAAIT3drCAAA="))
        #expect(GraphRoute.parse("/v1.0/me/events/E%3D/attachments") == .attachments(.me, .event, "E="))
        #expect(GraphRoute.parse("/v1.0/users/u@t/messages/M/attachments/A/$value") == .attachmentValue(.user("u@t"), .message, "M", attachmentID: "A"))
        #expect(GraphRoute.parse("/beta/me/MESSAGES/M/Attachments/A") == .attachment(.me, .message, "M", attachmentID: "A"))
        #expect(GraphRoute.parse("/v1.0/me") == .userProfile(.me))
        #expect(GraphRoute.parse("/v1.0/users/u@t") == .userProfile(.user("u@t")))
        #expect(GraphRoute.parse("/v1.0/Users('u@t')") == .userProfile(.user("u@t")))
    }

    @Test func theSeedsODataKeyPaths() {
        #expect(
            GraphRoute.parse("/v1.0/Users('d3b9214b-dd8b-441d-b7dc-c446c9fa0e69@98a79ebe-74bf-4e07-a017-7b410848cb32')/Events('AAMkADU5CCmSAAA=')/Attachments('AAMkADU5CCmSAAANZAlYPeyQByv7Y=')/$value")
                == .attachmentValue(
                    .user("d3b9214b-dd8b-441d-b7dc-c446c9fa0e69@98a79ebe-74bf-4e07-a017-7b410848cb32"), .event, "AAMkADU5CCmSAAA=",
                    attachmentID: "AAMkADU5CCmSAAANZAlYPeyQByv7Y="))
        #expect(
            GraphRoute.parse("/api/v1.0/Users('a@b')/Messages('AAMkADI5MAAIT3drCAAA=')/Attachments('X=')")
                == .attachment(.user("a@b"), .message, "AAMkADI5MAAIT3drCAAA=", attachmentID: "X="))
        #expect(
            GraphRoute.parse("/api/v2.0/Users('a@b')/Messages('AAMkADI5MAAIT3drCAAA=')/AttachmentSessions('AAMkADI5MAAIT3k0tAAA=')")
                == .uploadSession(user: "a@b", kind: .message, itemID: "AAMkADI5MAAIT3drCAAA=", sessionID: "AAMkADI5MAAIT3k0tAAA="))
        #expect(
            GraphRoute.parse("/api/v2.0/Users(%27a%40b%27)/Events(%27E%3D%27)/AttachmentSessions(%27S%27)")
                == .uploadSession(user: "a@b", kind: .event, itemID: "E=", sessionID: "S"))
        #expect(GraphRoute.parse("/v1.0/me/messages('it''s')") == .item(.me, .message, "it's"))
    }

    @Test func pathsItDoesNotServe() {
        for path in ["/", "/v2.0/me/messages", "/api/v2.0/Users('u')", "/v1.0/users", "/v1.0/me/contacts", "/v1.0/me/messages/M/attachments/A/raw",
            "/api/v2.0/Users('u')/Messages('m')", "/api/v2.0/me/messages/m/AttachmentSessions('s')", "/v1.0/me/messages/M/extensions"]
        {
            #expect(GraphRoute.parse(path) == nil, "\(path)")
        }
        #expect(GraphRoute.parse("/_emulator/sessions") == .control(["sessions"]))
    }

    @Test func queryOptions() {
        let query = ODataQuery(rawQuery: "$select=id,subject&%24top=5&$skip=10&$expand=attachments($select=name,size)&authtoken=a%2Bb")
        #expect(query.select == ["id", "subject"])
        #expect(query.top == 5)
        #expect(query.skip == 10)
        #expect(query.expandAttachments)
        #expect(query.expandSelect == ["name", "size"])
        #expect(query.parameters["authtoken"] == "a+b")
    }

    @Test func contentRanges() {
        #expect(ContentRange(parsing: "bytes 0-2097151/3483322") == ContentRange(start: 0, end: 2_097_151, total: 3_483_322))
        #expect(ContentRange(parsing: "bytes 0-2097151/3483322")?.length == 2_097_152)
        for bad in ["0-1/2", "bytes 5-1/9", "bytes -1/9", "bytes 0-1/*", "bytes 0-1", "items 0-1/2"] {
            #expect(ContentRange(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func sniffing() {
        #expect(ContentSniffer.contentType(declared: nil, name: "flower", head: [0xFF, 0xD8, 0xFF, 0xE0]) == "image/jpeg")
        #expect(ContentSniffer.contentType(declared: nil, name: "a.pdf", head: []) == "application/pdf")
        #expect(ContentSniffer.contentType(declared: "text/x-c", name: "a.pdf", head: []) == "text/x-c")
        #expect(ContentSniffer.contentType(declared: nil, name: "blob", head: [1, 2, 3]) == "application/octet-stream")
    }
}

extension ContentRange {
    init(start: Int64, end: Int64, total: Int64) {
        self.init(parsing: "bytes \(start)-\(end)/\(total)")!
    }
}
