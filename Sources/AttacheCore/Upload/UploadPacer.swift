import Clocks
import Foundation

/// Keeps what is sent to one mailbox within an ``UploadBudget``, so that Outlook never has to
/// refuse a range for it: before a `PUT` or a `POST` goes, its bytes must fit in what the
/// last window has left, and no send starts while a 429 asks the mailbox to wait.
///
/// The budget is the user's (`--upload-budget`), or learnt, and learnt only from what
/// Outlook really says: the `Retry-After` of a 429 that refused a send, and the bytes the
/// pacer saw accepted before it. Outlook's message names no budget, so none is read from it.
///
/// Every send is remembered, budget or not, so that a budget learnt from a first 429 counts
/// what was sent before it. A send counts from when it ends (when the server had counted it
/// at the latest), which keeps attache's count at or above the server's.
public actor UploadPacer {
    /// One send, from its reservation to its end.
    public struct Ticket: Hashable, Sendable {
        let id: Int
    }

    /// One send: when it was reserved, when it counts from (its end, once it ended), its bytes.
    private struct Send {
        var id: Int
        var startedAt: ClockInstant
        var at: ClockInstant
        var bytes: Int64
        /// The server took it (its reply came, and was not a refusal).
        var accepted = false
    }

    /// A 429 that refused a send: what the pacer learns from.
    private struct Refusal {
        /// When the refused send was reserved: sends reserved before it reached the server
        /// before it, so those it took were in its window when it refused this one.
        var sentAt: ClockInstant
        /// When its `Retry-After` ends: by then, the server said, the refused send fits.
        var waitEnds: ClockInstant
    }

    /// The budget the user gave, kept to from the first byte.
    private let given: UploadBudget?
    /// The 429s that refused sends, while the sends they teach about are remembered.
    private var refusals: [Refusal] = []
    /// No send starts before this: the end of the last 429's `Retry-After`.
    private var heldUntil: ClockInstant?
    private var sends: [Send] = []
    private var nextID = 0
    /// The clock its windows are kept by; a test moves a manual one.
    public nonisolated let clock: AttacheClock

    /// How long sends are remembered without a budget: enough for Outlook's 5 minutes.
    static let memory: Duration = .seconds(600)
    /// The longest a 429 holds sends back, as ``RetryPolicy/maximumRetryAfter`` bounds a
    /// retry: a server asking for hours gets a few minutes.
    static let longestHold: Duration = .seconds(300)

    public init(budget: UploadBudget? = nil, clock: AttacheClock = .live) {
        self.given = budget
        self.clock = clock
    }

    /// The budget kept to: the user's, tightened by what 429s taught; `nil` sends freely
    /// until a 429 teaches one.
    public var budget: UploadBudget? {
        let learnt = refusals.compactMap(estimate)
        return (learnt + [given].compactMap { $0 }).reduce(nil) { kept, next in
            guard let kept else { return next }
            return UploadBudget(bytes: min(kept.bytes, next.bytes), window: max(kept.window, next.window))
        }
    }

    /// Whether a 429 taught something the budget keeps to.
    public var learnt: Bool {
        refusals.contains { estimate($0) != nil }
    }

    /// Waits until `bytes` fit in the budget and no 429's wait is running, then counts them
    /// as sent. `onWait` hears of each wait before it starts; `shouldStop` is asked every
    /// tenth of a second meanwhile.
    ///
    /// - Returns: the ticket to end the send with, or `nil` when `shouldStop` said to stop.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    public func reserve(
        _ bytes: Int64, onWait: @Sendable (Duration) -> Void = { _ in }, shouldStop: @Sendable () -> Bool = { false }
    ) async throws -> Ticket? {
        while let wait = wait(for: bytes) {
            onWait(wait)
            let deadline = clock.now + wait
            while clock.now < deadline {
                if shouldStop() { return nil }
                // A tenth of a second at a time, on the clock, so a stop is heard.
                try await clock.sleep(until: min(deadline, clock.now + .milliseconds(100)))
            }
        }
        let ticket = Ticket(id: nextID)
        nextID += 1
        let now = clock.now
        sends.append(Send(id: ticket.id, startedAt: now, at: now, bytes: bytes))
        return ticket
    }

    /// The send is over: it counts from now. `accepted` when the server said it took it; a
    /// send that failed otherwise (no reply, a 5xx) still counts, since the server may have
    /// counted it, but is not among what the pacer saw accepted.
    public func sent(_ ticket: Ticket, accepted: Bool = true) {
        guard let index = sends.firstIndex(where: { $0.id == ticket.id }) else { return }
        sends[index].at = clock.now
        sends[index].accepted = accepted
    }

    /// The server refused the send without taking its bytes: it does not count.
    public func refused(_ ticket: Ticket) {
        sends.removeAll { $0.id == ticket.id }
    }

    /// A 429 refused the send, asking to wait `retryAfter`: it does not count, every send to
    /// the mailbox holds back until the wait is over, and the pacer learns a budget from it
    /// (see ``estimate(_:)``).
    public func throttled(_ ticket: Ticket, retryAfter: Duration) {
        let now = clock.now
        let sentAt = sends.first { $0.id == ticket.id }?.startedAt ?? now
        refused(ticket)
        hold(for: retryAfter)
        refusals.append(Refusal(sentAt: sentAt, waitEnds: now + min(max(retryAfter, .zero), Self.longestHold)))
    }

    /// A 429 on any request to the mailbox: no send starts until `duration` has passed
    /// (at most ``longestHold``), so that one 429 holds every transfer back, not one each.
    public func hold(for duration: Duration) {
        let until = clock.now + min(max(duration, .zero), Self.longestHold)
        heldUntil = max(heldUntil ?? until, until)
    }

    /// The budget a refusal teaches, from nothing but what the pacer saw:
    ///
    /// - bytes: those the server took of the sends reserved before the refused one (they
    ///   reached it first; each fitted, so the budget is at least their sum). A send still
    ///   under way when the 429 came is counted once its reply says it was taken;
    /// - window: from the start of the first of them to the end of the wait. The server
    ///   said the refused send fits once the wait is over, so by then its window has
    ///   dropped at least the first of them: its window is no longer than that.
    ///
    /// Counting each send from its end over that window, the pacer holds every send in its
    /// window at least as long as the server does, and admits no more than the server took:
    /// kept to, it draws no second 429 for the same limit. `nil` while nothing was seen taken.
    private func estimate(_ refusal: Refusal) -> UploadBudget? {
        let taken = sends.filter { $0.accepted && $0.startedAt < refusal.sentAt }
        guard let first = taken.map(\.startedAt).min() else { return nil }
        let bytes = taken.reduce(Int64(0)) { $0 + $1.bytes }
        return UploadBudget(bytes: bytes, window: max(refusal.waitEnds - first, .milliseconds(1)))
    }

    /// Bytes counted in the budget's window (or the last ten minutes, without a budget).
    public var bytesInWindow: Int64 {
        forgetOld()
        let now = clock.now
        let window = budget?.window ?? Self.memory
        return sends.filter { $0.at + window > now }.reduce(0) { $0 + $1.bytes }
    }

    /// How long until `bytes` may go; `nil` when they may go now.
    func wait(for bytes: Int64) -> Duration? {
        forgetOld()
        let now = clock.now
        let held = heldUntil.flatMap { $0 > now ? $0 - now : nil }
        let budgeted = budgetWait(for: bytes, now: now)
        switch (held, budgeted) {
        case (nil, nil): return nil
        case (let held?, nil): return held
        case (nil, let budgeted?): return budgeted
        case (let held?, let budgeted?): return max(held, budgeted)
        }
    }

    /// How long until `bytes` fit in the budget; `nil` when they fit now.
    private func budgetWait(for bytes: Int64, now: ClockInstant) -> Duration? {
        guard let budget else { return nil }
        let live = sends.filter { $0.at + budget.window > now }
        let total = live.reduce(Int64(0)) { $0 + $1.bytes }
        // An empty window takes any send, however large: otherwise it could never go.
        guard total + bytes > budget.bytes, !live.isEmpty else { return nil }
        var freed: Int64 = 0
        for send in live.sorted(by: { $0.at < $1.at }) {
            freed += send.bytes
            if total - freed + bytes <= budget.bytes {
                return max(.milliseconds(10), send.at + budget.window - now)
            }
        }
        return max(.milliseconds(10), (live.map(\.at).max() ?? now) + budget.window - now)
    }

    private func forgetOld() {
        let now = clock.now
        // A refusal is forgotten ten minutes after its wait, and the sends it teaches about
        // with it, never before it: a budget never loosens because its first send was dropped.
        refusals.removeAll { $0.waitEnds + Self.memory <= now }
        let taught = refusals.map(\.sentAt).max()
        let horizon = max(budget?.window ?? .zero, Self.memory)
        sends.removeAll { send in send.at + horizon <= now && !(taught.map { send.startedAt < $0 } ?? false) }
    }
}
