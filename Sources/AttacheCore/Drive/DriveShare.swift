import Foundation

/// How a file goes as a OneDrive link instead of an attachment: where in the sender's
/// OneDrive it is put, what becomes of a name already there, and the link made for it.
public struct DriveShare: Hashable, Sendable {
    /// The folder under the drive's root, as `Attachments/attache` (made when missing).
    public var folder: String
    /// What OneDrive does when the folder holds a file of that name: `rename` keeps both.
    public var conflictBehavior: ConflictBehavior
    public var linkType: LinkType
    public var linkScope: LinkScope
    /// Why this file goes as a link; `nil` when it was asked for (`--link-all`).
    public var reason: ShareReason?
    /// Bytes per fragment for a file shared this way (a job's own, once planned, is its
    /// ``UploadPlan/driveSession(fragmentLength:)``'s).
    public var fragmentLength: Int64

    /// OneDrive's largest file: 250 GiB.
    public static let maximumFileSize: Int64 = 250 * 1024 * 1024 * 1024

    /// The largest file that can go: OneDrive's when it may go as a link, else Outlook's 150 MiB.
    public static func largestFile(linking: Bool) -> Int64 {
        linking ? maximumFileSize : AttachmentLimits.maximumFileSize
    }

    /// Outlook's own "Attachments" folder, with attache's files kept apart in it.
    public static let defaultFolder = "Attachments/attache"

    public init(
        folder: String = DriveShare.defaultFolder, conflictBehavior: ConflictBehavior = .rename, linkType: LinkType = .view,
        linkScope: LinkScope = .organization, reason: ShareReason? = nil, fragmentLength: Int64 = UploadPlan.defaultFragmentLength
    ) {
        self.folder = folder
        self.conflictBehavior = conflictBehavior
        self.linkType = linkType
        self.linkScope = linkScope
        self.reason = reason
        self.fragmentLength = fragmentLength
    }

    /// The folder's names, without empty ones: `Attachments/attache` → `["Attachments", "attache"]`.
    public var folderComponents: [String] {
        folder.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Checks a folder as given by a flag or the config: names OneDrive takes, none of `..`.
    public static func validate(folder: String) throws(InvalidShare) {
        let refused = Set("\"*:<>?\\|")
        for name in folder.split(separator: "/", omittingEmptySubsequences: true) {
            guard !name.contains(where: { refused.contains($0) || $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }),
                name.contains(where: { $0 != "." && $0 != " " })
            else {
                throw InvalidShare("the OneDrive folder \"\(folder.terminalSafe)\" has a name OneDrive does not take (\"\(String(name).terminalSafe)\")")
            }
        }
    }

    public enum ConflictBehavior: String, Hashable, Sendable, CaseIterable {
        case rename, fail, replace
    }

    /// `view` lets people read the file; `edit` lets them change it.
    public enum LinkType: String, Hashable, Sendable, CaseIterable {
        case view, edit
    }

    /// Who the link works for: people in your organization, only those the message goes to
    /// (`users`, as OneDrive's "specific people"), or anyone who has it.
    public enum LinkScope: String, Hashable, Sendable, CaseIterable {
        case organization, users, anonymous

        /// How the body's line says it.
        public var audience: String {
            switch self {
            case .organization: "people in your organization with the link"
            case .users: "the people it is shared with"
            case .anonymous: "anyone with the link"
            }
        }
    }

    /// A folder, type or scope that cannot be used.
    public struct InvalidShare: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

/// Why a file goes as a link rather than as an attachment.
public enum ShareReason: String, Hashable, Sendable {
    /// Over Outlook's 150 MiB per attachment.
    case overOutlooksLimit
    /// The item would pass the tenant's maximum message size (`ErrorMessageSizeExceeded`).
    case messageSizeExceeded
    /// Graph refuses upload sessions in a shared or delegated mailbox (its known 403).
    case sharedMailbox

    /// Why, as a clause: "it is over Outlook's 150 MiB".
    public var sentence: String {
        switch self {
        case .overOutlooksLimit: "it is over the 150 MiB Outlook takes per attachment"
        case .messageSizeExceeded: "the message would pass its organization's maximum size"
        case .sharedMailbox: "Graph takes no large attachments in a shared mailbox"
        }
    }
}

extension DriveShare {
    /// Whether `candidate` is `name`, or `name` as OneDrive renames it on a conflict
    /// (`report 1.bin`, `report 2.bin`): what a lost final reply may have made.
    public static func mayBe(_ candidate: String, renamedFrom name: String) -> Bool {
        if candidate.lowercased() == name.lowercased() { return true }
        let ext = (name as NSString).pathExtension
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        var rest = Substring(candidate)
        guard rest.lowercased().hasPrefix(stem.lowercased() + " ") else { return false }
        rest = rest.dropFirst(stem.count + 1)
        if !ext.isEmpty {
            guard rest.lowercased().hasSuffix("." + ext.lowercased()) else { return false }
            rest = rest.dropLast(ext.count + 1)
        }
        // `1`, or `(1)` as other clients write it.
        if rest.hasPrefix("("), rest.hasSuffix(")") { rest = rest.dropFirst().dropLast() }
        return !rest.isEmpty && rest.count <= 6 && rest.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension UploadError {
    /// Why Outlook could not take the file, when a link would have gone: the message past
    /// its organization's maximum size, or a shared mailbox's refusal of upload sessions.
    public var shareReason: ShareReason? {
        if graphCode == "ErrorMessageSizeExceeded" { return .messageSizeExceeded }
        if cause?.sessionRefusedInSharedMailbox == true { return .sharedMailbox }
        return nil
    }
}
