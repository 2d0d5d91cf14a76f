/// Runs `work` in a task of its own, so that a cancel of the calling task cannot cut it
/// short.
///
/// For what a stop itself asks for, and must finish to be true: the `DELETE` of a session a
/// cancel deletes, the journal's record of how a transfer stopped, a `createUploadSession`
/// whose session would otherwise be left behind unknown, and file work whose failure under
/// a cancel would pass for the file's.
func shielded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await work() }.value
}

/// ``shielded(_:)`` for work that cannot fail.
func shielded<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
    await Task { await work() }.value
}
