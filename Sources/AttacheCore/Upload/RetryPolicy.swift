/// How long to wait before trying again, and how many times (or, in an outage, for how long).
///
/// Exponential back-off with full jitter, capped; a server's `Retry-After` is honoured
/// as the floor of the wait, up to ``maximumRetryAfter``: a server that asks for hours (or
/// for a date in 9999) gets a few minutes, then another try.
public struct RetryPolicy: Hashable, Sendable {
    /// Consecutive failures tolerated before the transfer fails.
    public var maximumAttempts: Int
    /// The wait before the first retry, before jitter.
    public var baseDelay: Duration
    /// No wait computed by back-off exceeds this.
    public var maximumDelay: Duration
    /// The longest a server's `Retry-After` makes attache wait.
    public var maximumRetryAfter: Duration
    /// How long an outage (no reply, or a gateway's 502/503/504) is ridden out, whatever
    /// the number of tries: a Wi-Fi drop or a VPN reconnect needs no `r` by hand.
    public var outageTolerance: Duration

    public init(
        maximumAttempts: Int = 6, baseDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30),
        maximumRetryAfter: Duration = .seconds(300), outageTolerance: Duration = .seconds(300)
    ) {
        self.outageTolerance = outageTolerance
        self.maximumAttempts = maximumAttempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// Retries nothing: the first failure is final.
    public static let never = RetryPolicy(maximumAttempts: 1, baseDelay: .zero, maximumDelay: .zero, maximumRetryAfter: .zero, outageTolerance: .zero)

    /// The wait before retry number `attempt` (1 for the first retry).
    ///
    /// `retryAfter`, when the server sent one, is the least the wait can be, up to
    /// ``maximumRetryAfter``.
    public func delay(
        forAttempt attempt: Int,
        retryAfter: Duration?,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let ceiling = min(baseDelay * (1 << exponent), maximumDelay)
        let ceilingMillis = max(ceiling.milliseconds, 0)
        // Full jitter, but never less than half the step, so retries still back off.
        let jittered = Duration.milliseconds(ceilingMillis / 2 + Int64.random(in: 0...(ceilingMillis / 2 + 1), using: &generator))
        if let retryAfter, retryAfter > jittered { return max(jittered, min(retryAfter, maximumRetryAfter)) }
        return jittered
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a `Double`, for rates and display.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
