import AttacheCore

/// What the world tells the app: results of requests it made, and transfer changes.
public enum AppEvent: Sendable {
    case itemsLoaded(ItemKind, [OutlookItem])
    case itemsFailed(ItemKind, String)
    case attachmentsLoaded(itemID: String, [AttachmentInfo])
    case attachmentsFailed(itemID: String, String)
    case draftCreated(OutlookItem)
    case draftFailed(String)
    case transfer(TransferEvent)
    /// Files the picker chose could not be queued.
    case uploadRefused(String)
    /// Graph refused the sign-in, and no refresh could mend it.
    case signInNeeded(String)
    /// A message for the status bar.
    case notice(String, AppState.StatusMessage.Kind)
    /// A signal asks the app to end (SIGTERM, SIGHUP).
    case quitRequested
    /// SIGWINCH: the terminal changed size.
    case terminalResized
}

/// What the app asks the world to do; the controller performs these off the screen's thread.
public enum Effect: Hashable, Sendable {
    case loadItems(ItemKind)
    case loadAttachments(ItemReference)
    case upload(paths: [String], to: ItemReference, title: String?)
    case cancel(TransferID)
    case retry(TransferID)
    case remove(TransferID)
    case createDraft(subject: String)
    /// End the app; running uploads are interrupted and kept for `attache resume`.
    case quit
}
