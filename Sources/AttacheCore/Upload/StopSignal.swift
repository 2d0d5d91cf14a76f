import Synchronization

/// Tells a running upload why it is being stopped, before its task is cancelled.
public final class StopSignal: Sendable {
    private let reason = Mutex<StopReason?>(nil)

    public init() {}

    /// Asks the upload to stop. A cancel outranks an interrupt.
    public func request(_ stop: StopReason) {
        reason.withLock { current in
            if current == nil || stop == .cancel { current = stop }
        }
    }

    public var requested: StopReason? { reason.withLock { $0 } }
}
