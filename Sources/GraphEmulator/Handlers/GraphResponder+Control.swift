import Clocks
import Foundation
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// The emulator's own API, for tests and scripts (not part of Graph):
    ///
    /// - `GET /_emulator/health` → `{"status":"ok"}` (no token needed);
    /// - `GET /_emulator/sessions` → the open upload sessions (never their tokens);
    /// - `GET /_emulator/stats` → request and byte counters, faults injected by kind, and
    ///   `sends`: each message sent, with the attachments (and their SHA-256) it had then;
    /// - `PUT /_emulator/faults` with `{"rate":0.2,"seed":7,"kinds":["cut-body",…]}` → injects
    ///   faults from now on (`{"rate":0}` stops), its generator seeded afresh;
    /// - `POST /_emulator/sessions/{id}/expire` → makes a session expire now;
    /// - `POST /_emulator/sessions/{id}/revoke` → its upload URL answers 401 from now on;
    /// - `GET /_emulator/drive` → the files in the drives (with their SHA-256 and links) and
    ///   the open drive upload sessions.
    func control(_ request: Request, path: [String], query: ODataQuery) async throws -> Response {
        if path == ["health"], request.method == .get {
            return json(.object([("status", .string("ok"))]))
        }
        _ = try authenticate(request)
        switch (path, request.method) {
        case (["sessions"], .get):
            try await store.sweepExpiredSessions(now: configuration.clock.date)
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
            var pairs: [(String, JSONValue)] = [
                ("postAttachmentRequests", .int(Int64(counters.postAttachmentRequests))),
                ("createSessionRequests", .int(Int64(counters.createSessionRequests))),
                ("putRequests", .int(Int64(counters.putRequests))),
                ("putBytes", .int(counters.putBytes)),
                ("rejectedRanges", .int(Int64(counters.rejectedRanges))),
                ("completedSessions", .int(Int64(counters.completedSessions))),
                ("deletedSessions", .int(Int64(counters.deletedSessions))),
                ("revokedSessions", .int(Int64(counters.revokedSessions))),
            ]
            let throttled: [(String, JSONValue)] = counters.throttled.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }
            pairs.append(("throttled", .object(throttled)))
            pairs += [
                ("peakInFlight", .int(Int64(throttle.peakInFlight))),
                ("bearerOnUploadURL", .int(Int64(counters.bearerOnUploadURL))),
                ("sentMessages", .int(Int64(counters.sentMessages))),
                ("sends", .array(counters.sends.map(\.json))),
                ("eventUpdatesSent", .int(Int64(counters.eventUpdatesSent))),
                ("attendeeNotifications", .int(Int64(counters.attendeeNotifications))),
                ("openSessions", .int(Int64(open))),
                ("driveSessionRequests", .int(Int64(counters.driveSessionRequests))),
                ("drivePutRequests", .int(Int64(counters.drivePutRequests))),
                ("drivePutBytes", .int(counters.drivePutBytes)),
                ("driveRejectedFragments", .int(Int64(counters.driveRejectedFragments))),
                ("driveCompletedSessions", .int(Int64(counters.driveCompletedSessions))),
                ("driveDeletedSessions", .int(Int64(counters.driveDeletedSessions))),
                ("driveLinksCreated", .int(Int64(counters.driveLinksCreated))),
                ("messageSizeRefusals", .int(Int64(counters.messageSizeRefusals))),
            ]
            let faults: [(String, JSONValue)] = faultSchedule.injected.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .int(Int64($0.value))) }
            pairs.append(("faults", .object(faults)))
            return json(.object(pairs))
        case (["drive"], .get):
            var items: [JSONValue] = []
            for item in await drive.allItems.sorted(by: { $0.createdAt < $1.createdAt }) where !item.isFolder {
                let links = await drive.links(of: item.id).map { link -> JSONValue in
                    .object([("type", .string(link.type)), ("scope", .string(link.scope)), ("webUrl", .string(link.webUrl))])
                }
                items.append(
                    .object([
                        ("id", .string(item.id)), ("name", .string(item.name)), ("path", .string(await drive.path(of: item))),
                        ("size", .int(item.size)), ("sha256", .string(item.sha256 ?? "")), ("links", .array(links)),
                    ]))
            }
            let sessions = await drive.openSessions.map { session -> JSONValue in
                .object([("name", .string(session.name)), ("size", .int(session.size ?? -1)), ("received", .int(session.received))])
            }
            return json(.object([("items", .array(items)), ("sessions", .array(sessions))]))
        case (["faults"], .put):
            let body = try await request.body.collect(upTo: 64 * 1024)
            // Foundation's parser, not JSONValue's: the rate is a fraction.
            guard let fields = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                let rate = (fields["rate"] as? NSNumber)?.doubleValue, (0...1).contains(rate)
            else {
                throw GraphErrorResponse.badRequest("Send {\"rate\": 0…1, \"seed\": n, \"kinds\": [...]}.")
            }
            let seed = (fields["seed"] as? NSNumber)?.uint64Value ?? 1
            var kinds: [FaultInjection.Kind] = []
            for name in fields["kinds"] as? [String] ?? [] {
                guard let kind = FaultInjection.Kind(rawValue: name) else {
                    throw GraphErrorResponse.badRequest("No fault kind '\(name)'; kinds are \(FaultInjection.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                kinds.append(kind)
            }
            faultSchedule.replace(with: rate > 0 ? FaultInjection(rate: rate, seed: seed, kinds: kinds) : nil)
            return Response(status: .noContent)
        case (let parts, .post) where parts.count == 3 && parts[0] == "sessions" && parts[2] == "expire":
            guard try await store.session(id: parts[1]) != nil else { throw GraphErrorResponse.notFound("No such upload session.") }
            try await store.setExpiry(configuration.clock.date.addingTimeInterval(-1), sessionID: parts[1])
            return Response(status: .noContent)
        case (let parts, .post) where parts.count == 3 && parts[0] == "sessions" && parts[2] == "revoke":
            guard let session = try await store.session(id: parts[1]) else { throw GraphErrorResponse.notFound("No such upload session.") }
            try await locks.withLock(session.id) { try await revoke(session) }
            return Response(status: .noContent)
        default:
            throw GraphErrorResponse(.notFound, "BadRequest", "No such emulator endpoint.")
        }
    }
}
