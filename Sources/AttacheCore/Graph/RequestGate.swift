/// At most so many requests under way at once to one mailbox, as Outlook allows (4 per app
/// per mailbox); the others wait their turn, first come first served.
///
/// It counts requests, not files: an upload's `PUT`, the screen's list of messages and a
/// lookup for an attachment each take a place while they run. A task cancelled while it
/// waits stops waiting at once.
public actor RequestGate {
    /// Outlook's limit of concurrent requests per app per mailbox.
    public static let outlookLimit = 4

    public let limit: Int
    private var running = 0
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0

    public init(limit: Int = RequestGate.outlookLimit) {
        self.limit = max(1, limit)
    }

    /// Requests under way now.
    public var inFlight: Int { running }

    /// Runs `body` once a place is free, and frees it after.
    public nonisolated func withPlace<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    func acquire() async throws {
        try Task.checkCancellation()
        if running < limit {
            running += 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append((id, continuation))
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            // The place goes straight to the next in line: `running` stays as it is.
            waiting.removeFirst().continuation.resume()
        }
    }

    /// A waiter's task was cancelled: it leaves the line without a place.
    private func abandon(_ id: Int) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
