import Testing

@testable import AttacheCore

@Suite("Choosing POST or an upload session")
struct UploadPlanTests {
    static let mb: Int64 = 1024 * 1024

    @Test("under 3 MB: one POST", arguments: [0, 1, 3 * 1_048_576 - 1] as [Int64])
    func smallFilesPost(size: Int64) throws {
        #expect(try UploadPlan.forFile(size: size) == .singleRequest)
    }

    @Test("3 MB to 150 MB: an upload session", arguments: [3 * 1_048_576, 3 * 1_048_576 + 1, 4 * 1_048_576 + 1, 150 * 1_048_576] as [Int64])
    func largeFilesUseASession(size: Int64) throws {
        #expect(try UploadPlan.forFile(size: size) == .uploadSession(rangeLength: 3_932_160))
    }

    @Test func overTheLimitIsRefusedBeforeAnyRequest() {
        #expect(throws: UploadPlan.Refusal.tooLarge(size: 150 * Self.mb + 1)) {
            try UploadPlan.forFile(size: 150 * Self.mb + 1)
        }
    }

    @Test func theDefaultRangeIsTwelveTimes320KiB() {
        #expect(AttachmentLimits.defaultRangeLength == 12 * 327_680)
        #expect(AttachmentLimits.defaultRangeLength < 4 * Self.mb)
    }

    @Test("range lengths must be positive multiples of 320 KiB under 4 MiB", arguments: [0, -327_680, 1000, 13 * 327_680, 4 * 1_048_576] as [Int64])
    func badRangeLengths(length: Int64) {
        #expect(throws: UploadPlan.Refusal.badRangeLength(length)) {
            try UploadPlan.validate(rangeLength: length)
        }
    }

    @Test(arguments: [327_680, 2 * 327_680, 12 * 327_680] as [Int64])
    func goodRangeLengths(length: Int64) throws {
        try UploadPlan.validate(rangeLength: length)
    }

    @Test func refusalsSayWhatToDo() {
        #expect("\(UploadPlan.Refusal.tooLarge(size: 200 * Self.mb))".contains("at most 150 MiB"))
        #expect("\(UploadPlan.Refusal.badRangeLength(1000))".contains("327680"))
    }
}
