/// Serialises work per key: two `PUT`s to one upload session never interleave.
actor KeyedLock {
    private var busy: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func withLock<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        while busy.contains(key) {
            await withCheckedContinuation { waiters[key, default: []].append($0) }
        }
        busy.insert(key)
        defer {
            busy.remove(key)
            if var queue = waiters[key], !queue.isEmpty {
                queue.removeFirst().resume()
                waiters[key] = queue.isEmpty ? nil : queue
            }
        }
        return try await body()
    }
}
