/// At most `limit` holders at once; the others wait their turn, first come first served.
///
/// The test process runs every test at once. With an emulator each (three listeners, a
/// SQLite pool), a hundred running together keep over 1,300 descriptors open, and past
/// that count Foundation's `Process.run()`, which lists `/proc/self/fd` before each launch,
/// reads beyond its buffer and crashes. Each harness takes a place here per emulator.
actor RunningLimit {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ limit: Int) {
        self.limit = limit
    }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        // The place is handed over by `release()`, so `running` stays as it is.
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
