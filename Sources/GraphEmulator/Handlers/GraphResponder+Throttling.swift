import Clocks
import HTTPTypes
import Hummingbird

extension GraphResponder {
    /// Runs `handler` as one request to `mailbox` under Outlook's limits: refused with 429
    /// `ApplicationThrottled` and `Retry-After` when it goes over one (its body read and
    /// dropped first, as a server that read it would), else counted in flight until done.
    func throttled(
        _ request: Request, mailbox: String, uploadBytes: Int64, _ handler: () async throws -> Response
    ) async throws -> Response {
        guard throttle.limits != .none else { return try await handler() }
        if let refusal = throttle.admit(mailbox, uploadBytes: uploadBytes, now: configuration.clock.now) {
            stats.update { $0.throttled[refusal.limit.rawValue, default: 0] += 1 }
            for try await _ in request.body {}
            throw GraphErrorResponse(.tooManyRequests, "ApplicationThrottled", refusal.message, retryAfter: refusal.retryAfter)
        }
        defer { throttle.leave(mailbox) }
        return try await handler()
    }

    /// The mailbox a Graph path names, as the throttle keys it: its owner's object id.
    func throttleKey(_ mailbox: GraphRoute.Mailbox, grant: Grant) async throws -> String {
        guard case .user(let key) = mailbox else { return grant.user.id }
        return try await store.user(matching: key)?.id ?? key.lowercased()
    }

    /// The body length a request declares, when it sends bytes up that count against the
    /// upload budget: a ranged `PUT`, or an attachment `POST`.
    static func uploadBytes(_ request: Request) -> Int64 {
        request.headers[.contentLength].flatMap(Int64.init) ?? 0
    }
}
