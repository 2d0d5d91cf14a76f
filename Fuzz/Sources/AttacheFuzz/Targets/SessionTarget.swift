import Foundation
import NIOCore
@testable import AttacheCore

/// An upload session's JSON, as `createUploadSession` (camelCase) and the upload host's
/// `PUT` and `GET` (PascalCase) write it: `SessionReply` and `GraphClient.sessionStatus(from:)`.
///
/// Input: the reply's body.
enum SessionTarget {
    static func run(_ input: FuzzInput) {
        let reply = GraphClient.Reply(status: 200, headers: [:], body: ByteBuffer(bytes: input.bytes))
        do {
            let status = try Fixtures.graph.sessionStatus(from: reply, operation: "fuzz")
            let ranges = status.nextExpectedRanges
            // The same entries, found with another JSON reader and a key of any case.
            let entries = rangesKey(in: input.bytes)
            if let entries {
                expect((try? ExpectedRanges(parsing: entries)) == ranges, "read \(ranges), but the body lists \(entries)")
            }
            RangeInvariants.check(ranges, parsedFrom: entries?.compactMap { ByteRange(parsing: $0) } ?? ranges.ranges, total: 0)
        } catch let error as GraphError {
            expect(error.kind == .malformedReply, "a bad body must be a malformed reply, not \(error)")
        } catch {
            expect(false, "sessionStatus threw \(type(of: error)), not a GraphError")
        }
        // What `createUploadSession` does with the same reply: its uploadUrl is checked
        // before use, and printed only redacted.
        if let session = try? GraphClient.decoder.decode(SessionReply.self, from: Data(input.bytes)), let url = session.uploadUrl {
            _ = try? HTTPURL(validating: url)
            URLInvariants.checkRedaction(of: url)
        }
    }

    /// The `NextExpectedRanges` array, when the body has one such key (in any case) whose
    /// value is an array of strings; `nil` when that is not so or cannot be told.
    static func rangesKey(in body: [UInt8]) -> [String]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        let keys = object.keys.filter { $0.lowercased() == "nextexpectedranges" }
        guard keys.count == 1, let entries = object[keys[0]] as? [String] else { return nil }
        return entries
    }
}
