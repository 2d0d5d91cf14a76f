import Dispatch
import Synchronization

/// Runs async code to its end from libFuzzer's synchronous callback, which has no task to
/// await in. The fuzzer calls one input at a time, so blocking its thread costs nothing.
enum Blocking {
    static func run<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
        let result = Shared<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            result.set(await body())
            done.signal()
        }
        done.wait()
        return result.value!
    }
}

/// A value set inside async code and read once it is over: a `Mutex` in a class, so that
/// escaping closures can share it.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func set(_ value: Value) {
        mutex.withLock { $0 = value }
    }
}
