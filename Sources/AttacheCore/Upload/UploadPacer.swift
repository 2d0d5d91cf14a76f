import Clocks
import Foundation

/// Keeps what is sent to one mailbox within an ``UploadBudget``, so that Outlook never has to
/// refuse a range for it: before a `PUT` or a `POST` goes, its bytes must fit in what the
/// last window has left.
///
/// Every send is remembered, budget or not, so that a budget learnt from a first 429 counts
/// what was sent before it. A send counts from when it ends (when the server had counted it
/// at the latest), which keeps attache's count at or above the server's.
public actor UploadPacer {
    /// One send, from its reservation to its end.
    public struct Ticket: Hashable, Sendable {
        let id: Int
    }

    /// The budget kept to; `nil` sends freely until a 429 names one.
    public private(set) var budget: UploadBudget?
    /// Whether the budget came from a 429 rather than from the user.
    public private(set) var learnt = false
    private var sends: [(id: Int, at: ClockInstant, bytes: Int64)] = []
    private var nextID = 0
    /// The clock its windows are kept by; a test moves a manual one.
    public nonisolated let clock: AttacheClock

    /// How long sends are remembered without a budget: enough for Outlook's 5 minutes.
    static let memory: Duration = .seconds(600)

    public init(budget: UploadBudget? = nil, clock: AttacheClock = .live) {
        self.budget = budget
        self.clock = clock
    }

    /// Waits until `bytes` fit in the budget, then counts them as sent. `onWait` hears of
    /// each wait before it starts; `shouldStop` is asked every tenth of a second meanwhile.
    ///
    /// - Returns: the ticket to end the send with, or `nil` when `shouldStop` said to stop.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    public func reserve(
        _ bytes: Int64, onWait: @Sendable (Duration) -> Void = { _ in }, shouldStop: @Sendable () -> Bool = { false }
    ) async throws -> Ticket? {
        while let wait = wait(for: bytes) {
            onWait(wait)
            let deadline = clock.now.advanced(by: wait)
            while clock.now < deadline {
                if shouldStop() { return nil }
                // A tenth of a second at a time, on the clock, so a stop is heard.
                try await clock.sleep(until: min(deadline, clock.now.advanced(by: .milliseconds(100))))
            }
        }
        let ticket = Ticket(id: nextID)
        nextID += 1
        sends.append((ticket.id, clock.now, bytes))
        return ticket
    }

    /// The send is over: it counts from now.
    public func sent(_ ticket: Ticket) {
        guard let index = sends.firstIndex(where: { $0.id == ticket.id }) else { return }
        sends[index].at = clock.now
    }

    /// The server refused the send without taking its bytes (a 429): it does not count.
    public func refused(_ ticket: Ticket) {
        sends.removeAll { $0.id == ticket.id }
    }

    /// A 429 named the upload limit: keep to `budget` from now on, unless the one given is
    /// already stricter.
    public func learn(_ budget: UploadBudget) {
        if let current = self.budget, Self.rate(current) <= Self.rate(budget), current.bytes <= budget.bytes { return }
        self.budget = budget
        learnt = true
    }

    /// Bytes counted in the budget's window (or the last ten minutes, without a budget).
    public var bytesInWindow: Int64 {
        forgetOld()
        let now = clock.now
        let window = budget?.window ?? Self.memory
        return sends.filter { $0.at.advanced(by: window) > now }.reduce(0) { $0 + $1.bytes }
    }

    /// How long until `bytes` fit; `nil` when they fit now.
    func wait(for bytes: Int64) -> Duration? {
        forgetOld()
        guard let budget else { return nil }
        let now = clock.now
        let live = sends.filter { $0.at.advanced(by: budget.window) > now }
        let total = live.reduce(Int64(0)) { $0 + $1.bytes }
        // An empty window takes any send, however large: otherwise it could never go.
        guard total + bytes > budget.bytes, !live.isEmpty else { return nil }
        var freed: Int64 = 0
        for send in live.sorted(by: { $0.at < $1.at }) {
            freed += send.bytes
            if total - freed + bytes <= budget.bytes {
                return max(.milliseconds(10), now.duration(to: send.at.advanced(by: budget.window)))
            }
        }
        return max(.milliseconds(10), now.duration(to: (live.map(\.at).max() ?? now).advanced(by: budget.window)))
    }

    private func forgetOld() {
        let horizon = max(budget?.window ?? .zero, Self.memory)
        let now = clock.now
        sends.removeAll { $0.at.advanced(by: horizon) <= now }
    }

    private static func rate(_ budget: UploadBudget) -> Double {
        Double(budget.bytes) / max(budget.window.seconds, 0.001)
    }

    /// The budget a 429's message names, as `N bytes per S seconds`; Outlook's documented
    /// one when it names none, or one no Outlook would set.
    ///
    /// The numbers come from a server, so they are believed only within bounds: a window of
    /// at most ten minutes, and at least a tenth of Outlook's documented rate. Beyond them
    /// ("1 bytes per 9223372036854775807 seconds", a window of 1,000 days) a transfer would
    /// overflow the clock or wait for years.
    public static func budget(named message: String?) -> UploadBudget {
        guard let message,
            let match = message.firstMatch(of: /\b(\d{1,18}) bytes per (\d{1,18}) seconds\b/),
            let bytes = Int64(match.1), let seconds = Int64(match.2), bytes > 0, seconds > 0, seconds <= longestWindowSeconds
        else { return .outlook }
        let outlookRate = Double(UploadBudget.outlook.bytes) / UploadBudget.outlook.window.seconds
        guard Double(bytes) / Double(seconds) >= outlookRate / 10 else { return .outlook }
        return UploadBudget(bytes: bytes, window: .seconds(seconds))
    }

    /// The longest window a server's budget may name: twice Outlook's five minutes.
    static let longestWindowSeconds: Int64 = 600

    /// Whether a refusal is Outlook's upload limit (429 `ApplicationThrottled` naming uploads).
    public static func isUploadLimit(status: Int?, code: String?, message: String?) -> Bool {
        guard status == 429 else { return false }
        let text = ((code ?? "") + " " + (message ?? "")).lowercased()
        return text.contains("upload")
    }
}
