import Clocks
import NIOCore
import Synchronization

/// Keeps ``OutlookLimits`` per mailbox: what is in flight, and what was sent in each window.
final class MailboxThrottle: Sendable {
    /// Which limit a request went over (the key of `/_emulator/stats`' `throttled`).
    enum Limit: String, Sendable {
        case concurrency = "MailboxConcurrency"
        case requests = "MailboxRequests"
        case upload = "MailboxUpload"

        /// The 429's message, as Outlook writes it: the limit's name and no number, so a
        /// client learns the budget only from `Retry-After` and what it saw accepted.
        /// Concurrency's text is quoted in many reports (magodo/terraform-provider-outlook
        /// #21, Microsoft Q&A); the upload limit's as python-o365 #500 quotes it (which
        /// limit it names is not documented); the request count's is not documented at all,
        /// so it is written in the same form.
        var message: String {
            switch self {
            case .concurrency: "Application is over its MailboxConcurrency limit."
            case .requests: "Application is over its MailboxRequests limit."
            case .upload: "Application is over its IncomingBytes limit."
            }
        }
    }

    struct Refusal: Sendable, Hashable {
        var limit: Limit
        /// Whole seconds until the request would fit, at least 1.
        var retryAfter: Int
        var message: String
    }

    private struct Mailbox {
        var inFlight = 0
        var requests = CircularBuffer<ClockInstant>()
        var uploads = CircularBuffer<(at: ClockInstant, bytes: Int64)>()
        var uploaded: Int64 = 0
    }

    let limits: OutlookLimits
    private let mailboxes = Mutex<[String: Mailbox]>([:])
    /// The most requests ever in flight to one mailbox at once.
    private let peak = Mutex(0)

    init(_ limits: OutlookLimits) {
        self.limits = limits
    }

    var peakInFlight: Int { peak.withLock { $0 } }

    /// Lets a request in (it is then in flight until ``leave(_:)``), or says which limit
    /// refuses it and for how long.
    func admit(_ mailbox: String, uploadBytes: Int64, now: ClockInstant) -> Refusal? {
        let limits = self.limits
        let (refusal, inFlight) = mailboxes.withLock { table -> (Refusal?, Int) in
            var box = table[mailbox] ?? Mailbox()
            defer { table[mailbox] = box }
            Self.forget(&box, before: now, limits: limits)
            if let budget = limits.requests {
                // Every request counts against the request budget, refused or not.
                box.requests.append(now)
                if Int64(box.requests.count) > budget.amount, let oldest = box.requests.first {
                    return (
                        Refusal(
                            limit: .requests, retryAfter: Self.seconds(until: oldest + budget.window, from: now), message: Limit.requests.message),
                        box.inFlight)
                }
            }
            if let most = limits.concurrentRequests, box.inFlight >= most {
                return (
                    Refusal(limit: .concurrency, retryAfter: 1, message: Limit.concurrency.message),
                    box.inFlight)
            }
            if let budget = limits.uploadBytes, uploadBytes > 0, !box.uploads.isEmpty, box.uploaded + uploadBytes > budget.amount {
                // The wait until enough of what was sent has left the window for this to fit.
                var freed: Int64 = 0
                var fits = now + budget.window
                for entry in box.uploads {
                    freed += entry.bytes
                    if box.uploaded - freed + uploadBytes <= budget.amount {
                        fits = entry.at + budget.window
                        break
                    }
                }
                return (
                    Refusal(limit: .upload, retryAfter: Self.seconds(until: fits, from: now), message: Limit.upload.message),
                    box.inFlight)
            }
            box.inFlight += 1
            if uploadBytes > 0, limits.uploadBytes != nil {
                box.uploads.append((now, uploadBytes))
                box.uploaded += uploadBytes
            }
            return (nil, box.inFlight)
        }
        peak.withLock { $0 = max($0, inFlight) }
        return refusal
    }

    /// The request admitted for `mailbox` is over.
    func leave(_ mailbox: String) {
        mailboxes.withLock { $0[mailbox]?.inFlight -= 1 }
    }

    private static func forget(_ box: inout Mailbox, before now: ClockInstant, limits: OutlookLimits) {
        if let window = limits.requests?.window {
            while let first = box.requests.first, first + window <= now { box.requests.removeFirst() }
        }
        if let window = limits.uploadBytes?.window {
            while let first = box.uploads.first, first.at + window <= now {
                box.uploaded -= first.bytes
                box.uploads.removeFirst()
            }
        }
    }

    private static func seconds(until instant: ClockInstant, from now: ClockInstant) -> Int {
        let wait = instant - now
        let (seconds, attoseconds) = wait.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
