import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// The emulator's own API, for tests and scripts (not part of Graph):
    ///
    /// - `GET /_emulator/health` → `{"status":"ok"}` (no token needed);
    /// - `GET /_emulator/sessions` → the open upload sessions (never their tokens);
    /// - `GET /_emulator/stats` → request and byte counters;
    /// - `POST /_emulator/sessions/{id}/expire` → makes a session expire now.
    func control(_ request: Request, path: [String], query: ODataQuery) async throws -> Response {
        if path == ["health"], request.method == .get {
            return json(.object([("status", .string("ok"))]))
        }
        _ = try authenticate(request)
        switch (path, request.method) {
        case (["sessions"], .get):
            try await store.sweepExpiredSessions()
            let sessions = try await store.openSessions().map { session -> JSONValue in
                .object([
                    ("id", .string(session.id)),
                    ("kind", .string(session.kind)),
                    ("itemId", .string(session.itemID)),
                    ("name", .string(session.name)),
                    ("size", .int(session.size)),
                    ("received", .int(session.received)),
                    ("expirationDateTime", .string(GraphTimestamp.ticks(session.expiresAt))),
                ])
            }
            return json(.object([("value", .array(sessions))]))
        case (["stats"], .get):
            let counters = stats.snapshot
            let open = try await store.openSessions().count
            return json(
                .object([
                    ("postAttachmentRequests", .int(Int64(counters.postAttachmentRequests))),
                    ("createSessionRequests", .int(Int64(counters.createSessionRequests))),
                    ("putRequests", .int(Int64(counters.putRequests))),
                    ("putBytes", .int(counters.putBytes)),
                    ("rejectedRanges", .int(Int64(counters.rejectedRanges))),
                    ("completedSessions", .int(Int64(counters.completedSessions))),
                    ("deletedSessions", .int(Int64(counters.deletedSessions))),
                    ("bearerOnUploadURL", .int(Int64(counters.bearerOnUploadURL))),
                    ("openSessions", .int(Int64(open))),
                ]))
        case (let parts, .post) where parts.count == 3 && parts[0] == "sessions" && parts[2] == "expire":
            guard try await store.session(id: parts[1]) != nil else { throw GraphErrorResponse.notFound("No such upload session.") }
            try await store.setExpiry(Date().addingTimeInterval(-1), sessionID: parts[1])
            return Response(status: .noContent)
        default:
            throw GraphErrorResponse(.notFound, "BadRequest", "No such emulator endpoint.")
        }
    }
}
