import AttacheCore

/// What the world tells the app: results of requests it made, and transfer changes.
public enum AppEvent: Sendable {
    case itemsLoaded(ItemKind, [OutlookItem])
    /// The list could not be had; `unreachable` when the server did not answer at all.
    case itemsFailed(ItemKind, String, unreachable: Bool)
    case attachmentsLoaded(itemID: String, [AttachmentInfo])
    case attachmentsFailed(itemID: String, String)
    case draftCreated(OutlookItem)
    case draftFailed(String)
    case transfer(TransferEvent)
    /// Files the picker chose could not be queued.
    case uploadRefused(String)
    /// Graph refused the sign-in, and no refresh could mend it.
    case signInNeeded(String)
    /// A sign-in started by `L` has something to show.
    case signInPrompt(SignInFlow.Prompt)
    /// The sign-in worked: as whom.
    case signedIn(String)
    /// The sign-in did not work: why.
    case signInFailed(String)
    /// Another workplace is open (an account, a mailbox); the screen works there from now
    /// on, and says `notice`.
    case workplaceOpened(Workplace, notice: String)
    /// The account or mailbox could not be opened: why; the screen stays where it was.
    case workplaceFailed(String)
    /// An attachment was deleted from its item.
    case attachmentDeleted(AttachmentInfo, of: ItemReference)
    /// A download moved on (`bytes` so far), ended (`finished`), or failed.
    case downloadProgress(id: Int, bytes: Int64)
    case downloadFinished(id: Int, bytes: Int64)
    case downloadFailed(id: Int, String)
    /// What the mailbox search for a filter found (beyond what the list loaded).
    case searchResults(ItemKind, String, [OutlookItem])
    case searchFailed(ItemKind, String, String)
    /// An item's people and body, for the read view.
    case detailsLoaded(ItemDetails)
    case detailsFailed(itemID: String, String)
    /// A draft went out; Outlook gives the sent message a new id.
    case draftSent(ItemReference, subject: String)
    /// A message for the status bar.
    case notice(String, AppState.StatusMessage.Kind)
    /// Sizes of the files behind attachments attache made before (from the journal), by
    /// attachment id: the file's own, which Graph's size is not.
    case knownFileSizes([String: Int64])
    /// Transfers another attache left unfinished and no longer runs (it ended, or was
    /// killed): the screen may take them over.
    case orphansFound(TransferService.ResumePlan)
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
    /// Files to the sender's OneDrive, each shared as a link in the item's body.
    case share(paths: [String], to: ItemReference, title: String?)
    /// A failed or cancelled transfer, again as a OneDrive link.
    case shareInstead(TransferID)
    /// Opens a link in the browser (`xdg-open`).
    case openLink(String)
    case cancel(TransferID)
    case retry(TransferID)
    case remove(TransferID)
    case createDraft(subject: String)
    /// Opens `$VISUAL` (or `$EDITOR`) for the body, then makes the draft: a new message, a
    /// reply or a forward.
    case compose(Composition)
    case pause(TransferID)
    case resume(TransferID)
    case clearFinished
    case deleteAttachment(AttachmentInfo, of: ItemReference)
    /// Streams the attachment to `download.destination`; opens it after when it says so.
    case download(AppState.Download, attachment: AttachmentInfo, of: ItemReference)
    case cancelDownload(id: Int)
    case sendDraft(ItemReference, subject: String)
    case notifyAttendees(ItemReference, title: String)
    /// Searches the whole mailbox for the filter's text (`$search`; events by subject).
    case search(ItemKind, String)
    /// Asks for an item's people and body (the read view).
    case loadDetails(ItemReference)
    /// Sign in (device code), showing the prompt as it comes.
    case signIn
    /// Give up the sign-in under way.
    case cancelSignIn
    /// End the app; running uploads are interrupted and kept for `attache resume`.
    /// Open the workplace of the account just signed in, or of another mailbox.
    case openWorkplace(WorkplaceChange)
    case quit
    /// Ctrl-Z: give the terminal back and stop until the shell continues the process.
    case suspend
}

/// Which workplace to open next.
public enum WorkplaceChange: Hashable, Sendable {
    /// The account just signed in; the text says as whom.
    case signedIn(String)
    /// This mailbox (`nil`: one's own).
    case mailbox(String?)
}
