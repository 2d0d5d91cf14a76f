extension TransferJournal {
    /// The records named by id or unique prefix (like git's), or every unfinished one when
    /// `ids` is empty.
    /// - Throws: ``TransferSelectionError`` for a name that fits none, or several, or (with
    ///   `unfinishedOnly`) a transfer that has ended.
    public func records(named ids: [String], unfinishedOnly: Bool) async throws -> [TransferRecord] {
        guard !ids.isEmpty else { return try await unfinished() }
        var result: [TransferRecord] = []
        for id in ids {
            let matches = try await records(matching: id)
            guard let record = matches.first else { throw TransferSelectionError(.notFound, id: id) }
            guard matches.count == 1 else { throw TransferSelectionError(.ambiguous, id: id) }
            if unfinishedOnly, !record.state.isUnfinished {
                throw TransferSelectionError(.finished(record.state), id: record.id)
            }
            result.append(record)
        }
        return result
    }
}

/// A transfer named on the command line that cannot be used.
public struct TransferSelectionError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case notFound
        case ambiguous
        case finished(TransferRecord.State)
    }

    public var reason: Reason
    public var id: String

    public init(_ reason: Reason, id: String) {
        self.reason = reason
        self.id = id
    }

    public var description: String {
        switch reason {
        case .notFound: "no transfer \(id) in the journal (\(Advice.listTransfers))"
        case .ambiguous: "\(id) matches several transfers; give more of it"
        case .finished(let state): "transfer \(id) is \(state.rawValue); nothing to do"
        }
    }
}
