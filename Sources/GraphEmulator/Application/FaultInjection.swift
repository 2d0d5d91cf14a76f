/// Link and server trouble the emulator makes up on purpose, on ranged `PUT`s, so clients'
/// retries and resumes can be tested: a share of requests (`rate`) meets one of `kinds`,
/// drawn from a generator seeded with `seed`, so a failing run can be replayed.
///
/// No fault corrupts data: a body that is cut keeps only the bytes that arrived, and a range
/// whose reply is lost was stored whole, exactly as a real server would have it.
public struct FaultInjection: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        /// The connection drops part-way through the body; the bytes before the cut stay.
        case cutBody = "cut-body"
        /// The range is stored, then the connection drops before the reply.
        case dropReply = "drop-reply"
        /// `503 Service Unavailable` with `Retry-After`; nothing stored.
        case unavailable
        /// `429 Too Many Requests` with `Retry-After`; nothing stored.
        case throttled
        /// The reply comes, but only after `slowReplyDelay`.
        case slowReply = "slow-reply"
        /// The session expires before the range is looked at: `404`, as for any expired
        /// session. Only once it holds some bytes: a new session's first range never meets it.
        case expireSession = "expire-session"
        /// The upload URL answers `401` from now on, this request and every later one, as in
        /// the incidents where Outlook's upload host refused working URLs for days: the
        /// session (and what it holds) can no longer be reached. Like an expiry, never on a
        /// session's first bytes.
        case unauthorized

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The share of ranged `PUT`s that meet a fault, from 0 to 1.
    public var rate: Double
    public var seed: UInt64
    public var kinds: [Kind]
    /// What `Retry-After` says on a 503 or 429.
    public var retryAfterSeconds: Int
    public var slowReplyDelay: Duration

    public init(rate: Double, seed: UInt64 = 1, kinds: [Kind] = Kind.allCases, retryAfterSeconds: Int = 1, slowReplyDelay: Duration = .seconds(2)) {
        self.rate = min(max(rate, 0), 1)
        self.seed = seed
        self.kinds = kinds.isEmpty ? Kind.allCases : kinds
        self.retryAfterSeconds = retryAfterSeconds
        self.slowReplyDelay = slowReplyDelay
    }
}

/// SplitMix64: small, fast and the same on every platform, which is all a replayable
/// fault schedule needs.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
