import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a call to `handler` (once); a second signal exits at once.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "attache.signals")
        let fired = Mutex(false)
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                let again = fired.withLock { fired in
                    defer { fired = true }
                    return fired
                }
                if again { _exit(ExitCodes.interrupted) }
                handler(signalNumber)
            }
            source.resume()
            return source
        }
    }

    /// Restores the default dispositions.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
