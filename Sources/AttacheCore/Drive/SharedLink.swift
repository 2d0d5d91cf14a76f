/// A file put on OneDrive and shared: its drive item and the link the item's body carries.
public struct SharedLink: Hashable, Sendable {
    /// The link people open.
    public var webURL: String
    public var type: DriveShare.LinkType
    public var scope: DriveShare.LinkScope
    /// The file on OneDrive: its id, and its name there (OneDrive may have renamed it).
    public var driveItemID: String
    public var driveItemName: String

    public init(webURL: String, type: DriveShare.LinkType, scope: DriveShare.LinkScope, driveItemID: String, driveItemName: String) {
        self.webURL = webURL
        self.type = type
        self.scope = scope
        self.driveItemID = driveItemID
        self.driveItemName = driveItemName
    }
}
