import AttacheCore
import Testing

@testable import AttacheTUI

/// A transfer riding out an outage puts it in the title, with the next try's countdown, and
/// the title goes back to the account once the server answers.
@Suite("The title in an outage")
struct OfflineTitleTests {
    @Test func theTitleSaysOfflineWithTheNextTrysCountdown() {
        var state = Fixtures.state(transfers: false)
        var riding = Fixtures.transfer(
            1, "quarterly-report.pdf", 20_000_000, to: Fixtures.messages[0], .retrying(retryAt: 112.4, attempt: 4, reason: "no reply from the server (connection refused)"))
        riding.offlineSince = 55
        state.transfers = [riding]
        let title = Fixtures.render(state, width: 100, height: 30).split(separator: "\n")[0]
        #expect(title.hasSuffix("offline · transfers try again in 0:13 "), "\(title)")

        // A retry that is no outage (an HTTP 500) leaves the title alone.
        state.transfers[0].offlineSince = nil
        let calm = Fixtures.render(state, width: 100, height: 30).split(separator: "\n")[0]
        #expect(!calm.contains("offline"), "\(calm)")
        #expect(calm.contains("demo@attache.test"), "\(calm)")
    }
}
