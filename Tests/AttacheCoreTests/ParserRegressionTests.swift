import Foundation
import Logging
import Testing

@testable import AttacheCore

/// Inputs the fuzz targets of `Fuzz/` found to crash attache or get a wrong answer, each
/// kept in `Fuzz/Regressions/TARGET/` too; here they run with every `make test`.
@Suite("Inputs the fuzz targets found")
struct ParserRegressionTests {
    /// retry-after: an `S`, a combining mark and bytes that are not UTF-8 (read as U+FFFD)
    /// trapped in Foundation's DateFormatter ("Incorrect range CFRange") while attache looked
    /// for an HTTP date in it (Fuzz/Regressions/retry-after/combining-marks).
    @Test func aRetryAfterBeyondASCIIIsNoDate() {
        let header = String(decoding: [0x53, 0xCC, 0xAC] + Array(repeating: UInt8(0xAC), count: 15), as: UTF8.self)
        #expect(RetryAfter.parse(header) == nil)
        #expect(RetryAfter.parse("Tue, 25 Nov 2025 10:53:00 GMT", now: Date(timeIntervalSince1970: 1_764_064_380)) == .seconds(3600))
    }
}
