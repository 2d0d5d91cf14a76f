import Testing

@testable import AttacheCore

@Suite("NextExpectedRanges parsing")
struct ExpectedRangesTests {
    @Test("the three forms of an entry", arguments: [
        ("2097152", ByteRange(start: 2_097_152)),
        ("0-", ByteRange(start: 0)),
        ("1998457-2097094", ByteRange(start: 1_998_457, end: 2_097_094)),
        (" 12-12 ", ByteRange(start: 12, end: 12)),
    ])
    func parsesEntry(text: String, expected: ByteRange) {
        #expect(ByteRange(parsing: text) == expected)
    }

    @Test("entries that are not ranges", arguments: ["", "-", "-5", "a-b", "5-3", "1.5", "+3", "3-x", "0x10"])
    func rejectsGarbage(text: String) {
        #expect(ByteRange(parsing: text) == nil)
    }

    @Test func aBadEntryNamesItself() {
        #expect(throws: ExpectedRanges.ParseError(entry: "bogus")) {
            try ExpectedRanges(parsing: ["0-9", "bogus"])
        }
    }

    @Test func seedReplyAfterTheFirstRange() throws {
        let ranges = try ExpectedRanges(parsing: ["2097152"])
        #expect(ranges.firstMissing(total: 3_483_322) == 2_097_152..<3_483_322)
        #expect(ranges.confirmedBytes(total: 3_483_322) == 2_097_152)
        #expect(ranges.confirmed(total: 3_483_322) == [0..<2_097_152])
    }

    @Test func severalGapsAreSortedAndMerged() throws {
        let ranges = try ExpectedRanges(parsing: ["900-", "100-199", "200-299", "500-599"])
        #expect(ranges.ranges == [ByteRange(start: 100, end: 299), ByteRange(start: 500, end: 599), ByteRange(start: 900)])
        #expect(ranges.firstMissing(total: 1000) == 100..<300)
        #expect(ranges.missing(total: 1000) == [100..<300, 500..<600, 900..<1000])
        #expect(ranges.confirmed(total: 1000) == [0..<100, 300..<500, 600..<900])
        #expect(ranges.confirmedBytes(total: 1000) == 600)
    }

    @Test func anOpenRangeSwallowsLaterOnes() throws {
        let ranges = try ExpectedRanges(parsing: ["10-", "20-30"])
        #expect(ranges.ranges == [ByteRange(start: 10)])
    }

    @Test func rangesPastTheEndAreIgnored() throws {
        let ranges = try ExpectedRanges(parsing: ["5000-"])
        #expect(ranges.firstMissing(total: 5000) == nil)
        #expect(ranges.confirmedBytes(total: 5000) == 5000)
        #expect(try ExpectedRanges(parsing: ["10-20000"]).firstMissing(total: 100) == 10..<100)
    }

    @Test func nothingAndEverything() {
        #expect(ExpectedRanges.nothing.firstMissing(total: 10) == nil)
        #expect(ExpectedRanges.everything.firstMissing(total: 10) == 0..<10)
        #expect(ExpectedRanges.everything.confirmedBytes(total: 10) == 0)
    }

    /// Ends and starts a server may write, up to `Int64.max`: `end + 1` once trapped.
    @Test(arguments: [
        ["0-9223372036854775807"], ["9223372036854775807"], ["9223372036854775806-9223372036854775807", "0-9223372036854775807"],
        ["5-9223372036854775807", "3-4"], ["9223372036854775807-"],
    ])
    func rangesAtTheEdgeOfInt64DoNotTrap(entries: [String]) throws {
        let ranges = try ExpectedRanges(parsing: entries)
        for total: Int64 in [0, 1, 10, 5 * 1024 * 1024] {
            let confirmed = ranges.confirmedBytes(total: total)
            #expect((0...total).contains(confirmed))
            for gap in ranges.missing(total: total) { #expect(gap.lowerBound >= 0 && gap.upperBound <= total) }
        }
    }
}
