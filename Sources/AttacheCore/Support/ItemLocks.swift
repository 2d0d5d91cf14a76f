/// One task at a time per key: for read-modify-write of one item (its body) by tasks of
/// this process. A waiter is woken when the key is let go, and takes it unless another
/// task came first.
actor ItemLocks {
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func withLock<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        while held.contains(key) {
            await withCheckedContinuation { waiters[key, default: []].append($0) }
        }
        held.insert(key)
        defer {
            held.remove(key)
            if var queue = waiters[key], !queue.isEmpty {
                queue.removeFirst().resume()
                waiters[key] = queue.isEmpty ? nil : queue
            }
        }
        return try await body()
    }
}
