import AttacheCore
import Foundation
import Testing

/// The pure parts of sharing from OneDrive: the body's line, OneDrive's renames, fragment
/// sizes, the config's `[links]`, and which failures a link answers.
@Suite("Sharing from OneDrive")
struct DriveShareTests {
    static let link = SharedLink(
        webURL: "https://contoso-my.sharepoint.com/:u:/g/personal/a?e=1&x=<2>", type: .view, scope: .organization, driveItemID: "01AB",
        driveItemName: "report 1.bin")

    @Test func theLineIsAddedToAnHTMLBodyBeforeItsEndAndEscaped() throws {
        let line = LinkLine(fileName: "Q3 <final> & more.bin", fileSize: 200 * 1024 * 1024, link: Self.link)
        let body = "<html><body><p>Hello,</p></body></html>"
        let added = try #require(line.added(to: body, isHTML: true))
        #expect(added.hasPrefix("<html><body><p>Hello,</p><p>"))
        #expect(added.hasSuffix("</p>\n</body></html>"))
        #expect(added.contains("Q3 &lt;final&gt; &amp; more.bin"))
        #expect(added.contains("href=\"https://contoso-my.sharepoint.com/:u:/g/personal/a?e=1&amp;x=&lt;2&gt;\""))
        #expect(added.contains("(200.0 MiB)"))
        // Placed once: a resume that finds it there adds nothing.
        #expect(line.added(to: added, isHTML: true) == nil)
    }

    @Test func theLineEndsATextBodyAndAnHTMLFragment() throws {
        let line = LinkLine(fileName: "a.bin", fileSize: 1000, link: Self.link)
        #expect(line.added(to: "Hi\n\n", isHTML: false) == "Hi\n\n" + line.text + "\n")
        #expect(line.added(to: "", isHTML: false) == line.text + "\n")
        #expect(line.added(to: "<p>Hi</p>", isHTML: true) == "<p>Hi</p>" + line.html)
        #expect(line.text.contains("on OneDrive, for people in your organization with the link: https://"))
        #expect(line.added(to: "see " + Self.link.webURL, isHTML: false) == nil)
    }

    @Test func renamesAreRecognisedAndNothingElse() {
        #expect(DriveShare.mayBe("report.bin", renamedFrom: "report.bin"))
        #expect(DriveShare.mayBe("Report.BIN", renamedFrom: "report.bin"))
        #expect(DriveShare.mayBe("report 1.bin", renamedFrom: "report.bin"))
        #expect(DriveShare.mayBe("report (12).bin", renamedFrom: "report.bin"))
        #expect(DriveShare.mayBe("notes 3", renamedFrom: "notes"))
        #expect(!DriveShare.mayBe("report final.bin", renamedFrom: "report.bin"))
        #expect(!DriveShare.mayBe("report 1.txt", renamedFrom: "report.bin"))
        #expect(!DriveShare.mayBe("report 1234567.bin", renamedFrom: "report.bin"))
        #expect(!DriveShare.mayBe("other.bin", renamedFrom: "report.bin"))
    }

    @Test func fragmentsAreMultiplesOf320KiBUnder60MiB() throws {
        try UploadPlan.validate(fragmentLength: 327_680)
        try UploadPlan.validate(fragmentLength: UploadPlan.defaultFragmentLength)
        #expect(UploadPlan.defaultFragmentLength == 10 * 1024 * 1024)
        for bad: Int64 in [0, -327_680, 400_000, 60 * 1024 * 1024, 192 * 327_680] {
            #expect(throws: UploadPlan.Refusal.self) { try UploadPlan.validate(fragmentLength: bad) }
        }
    }

    @Test func aFileOverOutlooksLimitIsPlannedAsItsLinkFallbackOrRefused() throws {
        let file = LocalFile(path: "/tmp/big.bin", name: "big.bin", size: 200 * 1024 * 1024, modified: 0)
        let item = ItemReference.message("m")
        #expect(throws: InputFileError.self) { try UploadJob(file: file, item: item) }
        let job = try UploadJob(file: file, item: item, linkFallback: DriveShare(folder: "Shared/big"))
        #expect(job.plan == .driveSession(fragmentLength: UploadPlan.defaultFragmentLength))
        #expect(job.share?.folder == "Shared/big")
        #expect(job.share?.reason == .overOutlooksLimit)
        // A small one is attached, and keeps its fallback for a refusal later.
        let small = try UploadJob(file: LocalFile(path: "/tmp/a", name: "a", size: 10, modified: 0), item: item, linkFallback: DriveShare())
        #expect(small.plan == .singleRequest)
        #expect(small.sharedInstead(because: .messageSizeExceeded)?.share?.reason == .messageSizeExceeded)
        // The share's fragment length is the one its fallback goes in, whatever the path to it.
        let configured = DriveShare(fragmentLength: 327_680)
        #expect(try UploadJob(file: file, item: item, linkFallback: configured).plan == .driveSession(fragmentLength: 327_680))
        let refused = try UploadJob(file: LocalFile(path: "/tmp/a", name: "a", size: 10, modified: 0), item: item, linkFallback: configured)
        #expect(refused.sharedInstead(because: .messageSizeExceeded)?.plan == .driveSession(fragmentLength: 327_680))
        #expect(try UploadJob(file: LocalFile(path: "/tmp/a", name: "a", size: 10, modified: 0), item: item).sharedInstead(because: .sharedMailbox) == nil)
    }

    @Test func theConfigsLinksTableIsReadAndChecked() throws {
        let config = try AttacheConfig.parse(
            """
            [links]
            fallback = true
            folder = "Shares/attache"
            scope = "users"
            type = "edit"
            fragment_size = 5242880
            """, path: "config.toml")
        #expect(config.linkFallback == true)
        #expect(config.share == DriveShare(folder: "Shares/attache", linkType: .edit, linkScope: .users, fragmentLength: 5_242_880))
        #expect(config.fragmentSize == 5_242_880)
        for bad in ["scope = \"everyone\"", "type = \"own\"", "fragment_size = 1000", "folder = \"a:b\"", "fallback = \"yes\"", "when = 1"] {
            #expect(throws: ConfigError.self) { try AttacheConfig.parse("[links]\n\(bad)\n", path: "config.toml") }
        }
    }
}
