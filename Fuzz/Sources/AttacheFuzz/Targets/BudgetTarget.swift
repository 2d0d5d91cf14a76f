@testable import AttacheCore

/// Upload budgets: `--upload-budget`'s and `upload_budget`'s `UploadBudget(parsing:)`, then
/// the waits the pacer makes of it, as the progress line and the screen show them. (No
/// budget is read from a 429's words any more: the pacer learns from `Retry-After` and what
/// it saw accepted, which the `retry-after` target and the pacer's tests cover.)
///
/// Input: the text.
enum BudgetTarget {
    static func run(_ input: FuzzInput) {
        let text = input.text
        if let budget = try? UploadBudget(parsing: text) {
            check(budget, from: text)
            // Written in its own plainest terms, it reads back the same.
            let milliseconds = budget.window.components.seconds * 1000 + budget.window.components.attoseconds / 1_000_000_000_000_000
            let plain = "\(budget.bytes)/\(milliseconds / 1000).\(String(milliseconds % 1000).leftPadded(to: 3))s"
            expect((try? UploadBudget(parsing: plain)) == budget, "\(text) → \(budget) → \(plain) does not read back")
            pace(budget, from: text)
        }
    }

    static func check(_ budget: UploadBudget, from text: String) {
        expect(budget.bytes > 0 && budget.window > .zero, "\(text): \(budget.bytes) bytes per \(budget.window)")
        _ = budget.description
    }

    /// A pacer told `budget`, asked for a send it cannot take now: the wait it names is at
    /// most a window, and shows as a time.
    static func pace(_ budget: UploadBudget, from text: String) {
        let wait = Blocking.run { () -> Duration? in
            let pacer = UploadPacer(budget: budget)
            let asked = Shared<Duration?>(nil)
            guard let first = try? await pacer.reserve(budget.bytes) else { return nil }
            await pacer.sent(first)
            _ = try? await pacer.reserve(1, onWait: { asked.set($0) }, shouldStop: { true })
            return asked.value
        }
        expect(wait != nil, "\(text): a full window did not make the pacer wait")
        guard let wait else { return }
        expect(wait > .zero && wait <= budget.window + .milliseconds(10), "\(text): waits \(wait) for a window of \(budget.window)")
        // As `attache upload`'s progress line and the transfer list write it.
        _ = TransferFormat.clock(wait.seconds)
    }
}
