@testable import AttacheCore

/// Upload budgets: `--upload-budget`'s `UploadBudget(parsing:)` and the budget a 429's
/// message names (`UploadPacer.budget(named:)`, "N bytes per S seconds"); then the waits
/// the pacer makes of it, as the progress line and the screen show them.
///
/// Input: the text, read both ways.
enum BudgetTarget {
    static func run(_ input: FuzzInput) {
        let text = input.text
        if let budget = try? UploadBudget(parsing: text) {
            check(budget, from: text)
            // Written in its own plainest terms, it reads back the same.
            let milliseconds = budget.window.components.seconds * 1000 + budget.window.components.attoseconds / 1_000_000_000_000_000
            let plain = "\(budget.bytes)/\(milliseconds / 1000).\(String(milliseconds % 1000).leftPadded(to: 3))s"
            expect((try? UploadBudget(parsing: plain)) == budget, "\(text) → \(budget) → \(plain) does not read back")
        }
        let named = UploadPacer.budget(named: text)
        check(named, from: text)
        if named != .outlook {
            expect(says(text, bytes: named.bytes, seconds: named.window.components.seconds), "\(text) names \(named), which it does not say")
            // Believed within bounds only: at most ten minutes, at least a tenth of Outlook's rate.
            expect(named.window <= .seconds(600), "\(text) names a window of \(named.window)")
        }
        pace(named, from: text)
    }

    /// Whether `text` says "N bytes per S seconds" with these numbers (leading zeros aside).
    static func says(_ text: String, bytes: Int64, seconds: Int64) -> Bool {
        let words = text.split(whereSeparator: { !$0.isASCII || !($0.isLetter || $0.isNumber) }).map(String.init)
        for index in words.indices.dropLast(4)
        where words[index + 1] == "bytes" && words[index + 2] == "per" && words[index + 4] == "seconds" {
            if Int64(words[index]) == bytes && Int64(words[index + 3]) == seconds { return true }
        }
        return false
    }

    static func check(_ budget: UploadBudget, from text: String) {
        expect(budget.bytes > 0 && budget.window > .zero, "\(text): \(budget.bytes) bytes per \(budget.window)")
        _ = budget.description
    }

    /// A pacer that learnt `budget` from a 429, asked for a send it cannot take now: the
    /// wait it names is at most a window, and shows as a time.
    static func pace(_ budget: UploadBudget, from text: String) {
        let wait = Blocking.run { () -> Duration? in
            let pacer = UploadPacer()
            await pacer.learn(budget)
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
