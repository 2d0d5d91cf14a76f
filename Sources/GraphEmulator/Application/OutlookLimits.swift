/// Outlook's throttling limits, per app per mailbox, which the emulator enforces as Outlook
/// does: a request over one is answered `429 ApplicationThrottled` with `Retry-After`.
///
/// The emulator serves one app, so every token counts as the same app; the mailbox is the
/// one a path names (an upload URL's is its session's).
public struct OutlookLimits: Sendable, Hashable {
    /// So many units per window, counted over the last `window` (a sliding window).
    public struct Budget: Sendable, Hashable, CustomStringConvertible {
        public var amount: Int64
        public var window: Duration

        public init(_ amount: Int64, per window: Duration) {
            self.amount = amount
            self.window = window
        }

        public var description: String { "\(amount) per \(window.components.seconds) s" }
    }

    /// Requests under way at once; a request counts from its head to its reply.
    public var concurrentRequests: Int?
    /// Requests of any kind.
    public var requests: Budget?
    /// Bytes sent up: the bodies of ranged `PUT`s and of attachment `POST`s.
    public var uploadBytes: Budget?

    public init(concurrentRequests: Int? = nil, requests: Budget? = nil, uploadBytes: Budget? = nil) {
        self.concurrentRequests = concurrentRequests
        self.requests = requests
        self.uploadBytes = uploadBytes
    }

    /// Outlook's documented limits: 4 concurrent requests, 10,000 requests per 10 minutes,
    /// 150 MB uploaded per 5 minutes.
    public static let outlook = OutlookLimits(
        concurrentRequests: 4, requests: Budget(10_000, per: .seconds(600)), uploadBytes: Budget(150 * 1024 * 1024, per: .seconds(300)))

    /// No limit at all.
    public static let none = OutlookLimits()
}
