import AttacheCore
import Foundation

@testable import AttacheTUI

/// A fixed state for screen snapshots: the demo mailbox, attachments, and transfers in every state.
enum Fixtures {
    static let messages: [OutlookItem] = [
        OutlookItem(id: "AAMkADmsg1AAA=", kind: .message, subject: "Quarterly report — Q3 figures", receivedDateTime: "2026-11-25T08:13:00Z", isDraft: true, hasAttachments: true,
            attachments: [AttachmentInfo(id: "A1"), AttachmentInfo(id: "A2")]),
        OutlookItem(id: "AAMkADmsg2AAA=", kind: .message, subject: "Relatório trimestral: números de setembro", receivedDateTime: "2026-11-25T05:13:00Z", isDraft: false, attachments: [], from: EmailAddress(name: "Inês Sousa", address: "ines@contoso.com")),
        OutlookItem(id: "AAMkADmsg3AAA=", kind: .message, subject: "旅行の写真 (Kyoto trip photos)", receivedDateTime: "2026-11-24T10:13:00Z", isDraft: false, attachments: [], from: EmailAddress(name: "佐藤 健", address: "ken.sato@contoso.com")),
        OutlookItem(id: "AAMkADmsg4AAA=", kind: .message, subject: "Café ☕ menu for the offsite", receivedDateTime: "2026-11-23T10:13:00Z", isDraft: false, attachments: [], from: EmailAddress(name: "José Müller", address: "jose.muller@contoso.com")),
        OutlookItem(id: "AAMkADmsg5AAA=", kind: .message, subject: "Signed contract scan for legal", receivedDateTime: "2026-11-22T10:13:00Z", isDraft: true, attachments: []),
    ]

    static let events: [OutlookItem] = [
        OutlookItem(id: "AAMkADevt1AAA=", kind: .event, subject: "Design review: attache TUI", start: .init(dateTime: "2026-11-26T10:00:00.0000000", timeZone: "UTC"), attachments: []),
        OutlookItem(id: "AAMkADevt2AAA=", kind: .event, subject: "Offsite in Lisboa 🇵🇹", start: .init(dateTime: "2026-12-02T09:00:00.0000000", timeZone: "UTC"), attachments: []),
    ]

    static let attachments: [AttachmentInfo] = [
        AttachmentInfo(id: "AAMkADatt1=", name: "report-q3.pdf", contentType: "application/pdf", size: 2_411_008, isInline: false, lastModifiedDateTime: "2026-11-25T09:01:12Z"),
        AttachmentInfo(id: "AAMkADatt2=", name: "グラフ.xlsx", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", size: 48_213, isInline: false, lastModifiedDateTime: "2026-11-25T09:02:40Z"),
    ]

    static func file(_ name: String, _ size: Int64) -> LocalFile {
        LocalFile(path: "/home/ana/\(name)", name: name, size: size, modified: 0)
    }

    static func transfer(_ id: Int, _ name: String, _ size: Int64, to item: OutlookItem, _ phase: TransferSnapshot.Phase, confirmed: [Range<Int64>] = [], inFlight: Int64 = 0, rate: Double? = nil) -> TransferSnapshot {
        let plan = (try? UploadPlan.forFile(size: size, name: name)) ?? .uploadSession(rangeLength: AttachmentLimits.defaultRangeLength)
        var snapshot = TransferSnapshot(id: id, job: UploadJob(file: file(name, size), item: item.reference, plan: plan, itemTitle: item.subject))
        snapshot.phase = phase
        snapshot.confirmedRanges = confirmed
        snapshot.confirmedBytes = confirmed.reduce(0) { $0 + Int64($1.count) }
        snapshot.inFlightBytes = inFlight
        snapshot.bytesSent = snapshot.confirmedBytes + inFlight
        snapshot.bytesPerSecond = rate
        snapshot.startedAt = 10
        if phase.isTerminal { snapshot.finishedAt = 12.5 }
        return snapshot
    }

    static var transfers: [TransferSnapshot] {
        let mib: Int64 = 1024 * 1024
        let done = AttachmentInfo(id: "AAMkADdone=", name: "slides.pptx", size: 8 * mib)
        return [
            transfer(1, "holiday-video.mp4", 40 * mib, to: messages[0], .uploading, confirmed: [0..<(16 * mib)], inFlight: 2 * mib, rate: 12.4 * Double(mib)),
            transfer(2, "slides.pptx", 8 * mib, to: messages[0], .attached(done), confirmed: [0..<(8 * mib)]),
            transfer(3, "scan-0001.tiff", 25 * mib, to: messages[3], .retrying(retryAt: 103, attempt: 2, reason: "HTTP 503"), confirmed: [0..<(7_864_320)]),
            transfer(4, "notes.txt", 2_300, to: messages[2], .queued),
            transfer(
                5, "budget.xlsx", 4 * mib, to: events[0],
                .failed(UploadError(
                    .notAuthorized, reason: "the server refused it: HTTP 403 ErrorAccessDenied", fileName: "budget.xlsx",
                    item: events[0].reference, graphCode: "ErrorAccessDenied", status: 403))),
            transfer(6, "draft.docx", 6 * mib, to: messages[1], .cancelled, confirmed: [0..<(3_932_160)]),
        ]
    }

    /// The demo state with everything loaded.
    static func state(focus: AppState.Pane = .items, transfers: Bool = true) -> AppState {
        var state = AppState(account: "demo@attache.test · embedded Graph emulator", pickerDirectory: "/home/ana")
        // Times in UTC and a fixed wall clock, whatever zone and time the tests run at.
        state.timeZone = LocalTime(zone: TimeZone(identifier: "UTC")!)
        state.wallClock = { Date(timeIntervalSince1970: 1_795_597_200) }
        _ = state.apply(.itemsLoaded(.message, messages))
        _ = state.apply(.itemsLoaded(.event, events))
        _ = state.apply(.attachmentsLoaded(itemID: messages[0].id, attachments))
        state.now = 100
        if transfers {
            for snapshot in Self.transfers { state.transfers.append(snapshot) }
        }
        state.focus = focus
        return state
    }

    static func render(_ state: AppState, width: Int, height: Int, unicode: Bool = true) -> String {
        var buffer = ScreenBuffer(width: width, height: height)
        RootView(state: state, unicode: unicode).render(in: buffer.bounds, into: &buffer)
        return buffer.text
    }
}
