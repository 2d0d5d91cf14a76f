import Foundation
import Synchronization

/// Where events from other threads wait for the screen's loop: a queue, and a pipe whose
/// read end the loop polls beside the keyboard, so it sleeps until there is something to do.
final class Inbox: Sendable {
    private let events = Mutex<[AppEvent]>([])
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() {
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        for fd in fds where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Queues an event and wakes the loop.
    func post(_ event: AppEvent) {
        events.withLock { $0.append(event) }
        wake()
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Everything posted so far, in order; empties the pipe too.
    func take() -> [AppEvent] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readDescriptor, &scratch, scratch.count) > 0 {}
        return events.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}
