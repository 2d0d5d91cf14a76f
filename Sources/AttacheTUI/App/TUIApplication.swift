import AttacheCore
import Dispatch
import Foundation
import Logging

/// Runs the screen: one loop on the main actor that sleeps in `poll` until a key or an event
/// arrives, folds it into ``AppState``, performs the effects off the main actor, and redraws
/// (keys at once, events at most ten times a second, nothing at all when idle).
///
/// ``run()`` is the whole life of the screen. A test drives the same loop in parts, with a
/// ``TestBackend`` and `catchesSignals: false`: ``start()``, then ``run(until:timeout:)`` as
/// often as it likes, pressing keys in between, then ``finish()``.
@MainActor
public final class TUIApplication {
    /// The core services the screen drives.
    public struct Services: Sendable {
        public var graph: GraphClient
        /// Starts, cancels and reports every transfer; the screen only shows what it publishes.
        public var transfers: TransferService
        public var rangeLength: Int64
        /// Where and how files are shared from OneDrive (the config's `[links]`).
        public var share = DriveShare()
        /// `[links] fallback`: what Outlook cannot take goes as a link without a question.
        public var linkFallback = false
        /// How many messages (or events) a list loads; a filter searches the mailbox beyond.
        public var listLimit: Int
        public var logger: Logger
        /// Signs in (device code), passing what to show as it comes; says as whom. `nil`
        /// where the screen cannot (then `L` says to run `attache login`).
        public var signIn: (@Sendable (@escaping @Sendable (SignInFlow.Prompt) -> Void) async throws -> String)?
        /// Opens another account's or mailbox's workplace in place; `nil` where the screen
        /// cannot (then `M` says how to start in another mailbox).
        public var session: (any ScreenSession)?

        public init(
            graph: GraphClient, transfers: TransferService, rangeLength: Int64, listLimit: Int = 500, logger: Logger,
            signIn: (@Sendable (@escaping @Sendable (SignInFlow.Prompt) -> Void) async throws -> String)? = nil,
            session: (any ScreenSession)? = nil
        ) {
            self.graph = graph
            self.transfers = transfers
            self.rangeLength = rangeLength
            self.listLimit = listLimit
            self.logger = logger
            self.signIn = signIn
            self.session = session
        }
    }

    /// The services, with the Graph of the workplace the screen works in now.
    private var services: Services
    /// Where transfers queued now go: `nil` for the transfer service's own Graph, until `L`
    /// or `M` opens another workplace.
    private var target: TransferTarget?
    let backend: any TerminalBackend
    private let catchesSignals: Bool
    private let inbox = Inbox()
    /// What the screen shows, as of the last key or event folded in (not necessarily drawn yet).
    public private(set) var state: AppState
    private var previous: ScreenBuffer?
    private var dirty = true
    private var lastDraw = ContinuousClock.now.advanced(by: .seconds(-1))
    private var signalSources: [any DispatchSourceSignal] = []
    private var subscription: Task<Void, Never>?
    private var startupNotice: String?
    private var signInTask: Task<Void, Never>?
    /// Attachments being saved or fetched to open, by download id.
    private var downloads: [Int: Task<Void, Never>] = [:]
    /// Private copies made for `o`, removed when the screen ends (the program they were
    /// handed to may still be reading them until then).
    private let openedCopies = TemporaryCopies()
    /// Journal rows this screen's transfers have had: never taken over as another's.
    private var ownRecords: Set<String> = []
    /// When to look next for transfers another attache left (it ended or was killed), and
    /// whether a look is under way.
    private var nextOrphanCheck = ContinuousClock.now
    private var lookingForOrphans = false
    /// How often the journal is looked at for transfers another attache left.
    static let orphanCheckInterval: Duration = .seconds(5)

    /// - Parameter catchesSignals: Whether the app takes SIGTERM, SIGHUP, SIGINT and SIGWINCH
    ///   from the process while it runs. A test leaves them alone (they belong to the whole
    ///   test process) and delivers them with ``receive(signal:)``.
    public init(
        services: Services, backend: any TerminalBackend, account: String, startDirectory: String, notice: String? = nil,
        catchesSignals: Bool = true
    ) {
        self.services = services
        self.backend = backend
        self.catchesSignals = catchesSignals
        self.state = AppState(account: account, pickerDirectory: startDirectory)
        self.state.canSignIn = services.signIn != nil
        self.state.canSwitch = services.session != nil
        self.state.listLimit = services.listLimit
        self.state.share = services.share
        self.state.shareWithoutAsking = services.linkFallback
        self.state.downloadDirectory = Self.downloadDirectory(startDirectory: startDirectory)
        if let url = URL(string: services.graph.baseURL), let host = url.host {
            self.state.server = host + (url.port.map { ":\($0)" } ?? "")
        }
        self.state.inOtherMailbox = services.graph.isOtherMailbox
        self.startupNotice = notice
    }

    /// Runs until the user quits or a signal ends it; returns how many uploads were left
    /// unfinished (interrupted, kept for `attache resume`).
    public func run() async throws -> Int {
        try start()
        while !state.quitting {
            loopOnce(until: nil)
        }
        return await finish()
    }

    // MARK: In parts, for a test

    /// Starts the terminal and the first requests, as ``run()`` does before its loop.
    /// - Throws: what the backend's `start()` throws; then nothing needs finishing.
    public func start() throws {
        // Before the backend starts, so ncurses finds SIGWINCH taken and leaves it to us.
        if catchesSignals { installSignalHandlers() }
        do {
            try backend.start()
        } catch {
            restoreSignals()
            throw error
        }
        subscribe()
        if let startupNotice { state.notify(startupNotice, .info, for: 10) }
        perform([.loadItems(.message), .loadItems(.event)])
        loadKnownFileSizes()
        nextOrphanCheck = ContinuousClock.now + Self.orphanCheckInterval
    }

    /// Turns the loop as ``run()`` does until `condition` holds, the app is quitting, or
    /// `timeout` has passed. `condition` is asked whenever the loop is about to sleep in
    /// `poll` (so after any frame that was due is drawn), and the sleep ends by the deadline.
    /// - Returns: whether `condition` holds.
    @discardableResult
    public func run(until condition: () -> Bool, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !state.quitting {
            let now = ContinuousClock.now
            drawIfDue(now)
            if condition() { return true }
            guard now < deadline else { return false }
            waitAndHandle(now, until: deadline)
        }
        return condition()
    }

    /// Ends as ``run()`` does after its loop: unfinished uploads are interrupted (kept for
    /// `attache resume`), then the terminal is stopped. Returns how many were unfinished.
    public func finish() async -> Int {
        defer { backend.stop() }
        return await shutDown()
    }

    /// Does what the handler of a caught signal does: SIGWINCH reflows the screen, SIGTERM,
    /// SIGHUP and SIGINT end the app with uploads kept for a resume. Safe from any thread.
    public nonisolated func receive(signal number: Int32) {
        inbox.post(Self.event(forSignal: number))
    }

    /// The last frame drawn, as the app rendered it: what the terminal should show.
    public var frame: ScreenBuffer? { previous }

    // MARK: The loop

    /// One turn: the frame if one is due, then a sleep in `poll` and what woke it.
    private func loopOnce(until deadline: ContinuousClock.Instant?) {
        let now = ContinuousClock.now
        drawIfDue(now)
        waitAndHandle(now, until: deadline)
    }

    /// Draws when something changed and the last frame is at least 100 ms older than `now`.
    private func drawIfDue(_ now: ContinuousClock.Instant) {
        if dirty, now - lastDraw >= .milliseconds(100) { draw() }
    }

    /// Sleeps in `poll` until a key, an event, the next frame or tick is due, or `deadline`
    /// (`nil`: no limit), then folds in what came. `now` is when the turn began.
    private func waitAndHandle(_ now: ContinuousClock.Instant, until deadline: ContinuousClock.Instant?) {
        var timeout: Int32 = -1
        if dirty {
            timeout = Int32(max(1, (lastDraw + .milliseconds(100) - now).milliseconds))
        } else if state.needsTicks {
            timeout = 1000
        }
        // Wake for the next look at the journal, for transfers another attache left.
        let untilCheck = Int32(clamping: max(1, (nextOrphanCheck - now).milliseconds))
        timeout = timeout < 0 ? untilCheck : min(timeout, untilCheck)
        if let deadline {
            let left = Int32(clamping: max(0, (deadline - now).milliseconds + 1))
            timeout = timeout < 0 ? left : min(timeout, left)
        }
        var fds = [
            pollfd(fd: backend.inputDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: inbox.readDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&fds, nfds_t(fds.count), timeout)
        // Keys: read whatever is there (also after EINTR, which a SIGWINCH causes).
        let keys = backend.readKeys()
        if !keys.isEmpty {
            measure()
            for key in keys {
                if key == .resize {
                    previous = nil
                    measure()
                }
                perform(state.handle(key))
            }
            draw()
        }
        if ContinuousClock.now >= nextOrphanCheck { lookForOrphans() }
        for event in inbox.take() {
            switch event {
            case .downloadFinished(let id, _), .downloadFailed(let id, _): downloads.removeValue(forKey: id)
            case .transfer(.changed(let snapshot)):
                if let record = snapshot.recordID { ownRecords.insert(record) }
            case .orphansFound(let plan):
                takeOver(plan)
                continue
            case .workplaceOpened(let workplace, _):
                // The lists loaded from now on, and the transfers queued, are the new
                // workplace's; those under way keep their own.
                services.graph = workplace.graph
                target = workplace.target
            default: break
            }
            if case .terminalResized = event {
                backend.resized()
                measure()
                previous = nil
                perform(state.apply(event))
                draw()
                continue
            }
            perform(state.apply(event))
            dirty = true
        }
        let before = state.status
        state.tick(services.transfers.now)
        // A message merely waiting to expire changes nothing until it does.
        if state.hasCountdown || before != state.status { dirty = true }
    }

    /// Tells the state whether the terminal is below the screen's minimum size, where keys
    /// other than quitting must wait: nothing shows what they would do.
    private func measure() {
        let (width, height) = backend.size
        state.screen = Rect(x: 0, y: 0, width: width, height: height)
    }

    private func draw() {
        let (width, height) = backend.size
        var buffer = ScreenBuffer(width: width, height: height)
        // What the core advises is said in keys where the screen shows it.
        Advice.$style.withValue(.screen) {
            RootView(state: state, unicode: backend.unicode).render(in: buffer.bounds, into: &buffer)
        }
        backend.draw(ScreenDiff(from: previous, to: buffer))
        previous = buffer
        dirty = false
        lastDraw = ContinuousClock.now
    }

    // MARK: Effects

    private func perform(_ effects: [Effect]) {
        for effect in effects { perform(effect) }
    }

    private func perform(_ effect: Effect) {
        let graph = services.graph
        let transfers = services.transfers
        let target = self.target
        let inbox = self.inbox
        let rangeLength = services.rangeLength
        let listLimit = services.listLimit
        let share = services.share
        let fallback = services.linkFallback ? share : nil
        switch effect {
        case .search(let kind, let text):
            request({ .searchResults(kind, text, try await graph.searchItems(kind, matching: text, limit: listLimit, expandAttachments: true)) }) {
                [.searchFailed(kind, text, "could not search the mailbox for “\(text)”: \(Self.saidAfter($0))")]
            }
        case .loadItems(let kind):
            request({ .itemsLoaded(kind, try await graph.items(kind, limit: listLimit, expandAttachments: true)) }) { error in
                let unreachable = (error as? GraphError).map { if case .noReply = $0.kind { true } else { false } } ?? false
                return [.itemsFailed(kind, Self.said(error), unreachable: unreachable)] + Self.signInNeeded(error)
            }
        case .loadAttachments(let item):
            request({ .attachmentsLoaded(itemID: item.id, try await graph.attachments(of: item)) }) {
                [.attachmentsFailed(itemID: item.id, Self.said($0))] + Self.signInNeeded($0)
            }
        case .upload(let paths, let item, let title):
            Task.detached {
                for path in paths {
                    do {
                        let file = try LocalFile.inspect(path)
                        let job = try UploadJob(file: file, item: item, rangeLength: rangeLength, itemTitle: title, linkFallback: fallback)
                        await transfers.upload(job, to: target)
                    } catch {
                        inbox.post(.uploadRefused("cannot attach to \(title ?? item.description): \(Self.saidAfter(error))"))
                    }
                }
            }
        case .share(let paths, let item, let title):
            Task.detached {
                for path in paths {
                    do {
                        let file = try LocalFile.inspect(path, upTo: DriveShare.maximumFileSize)
                        var share = share
                        share.reason = file.size > AttachmentLimits.maximumFileSize ? .overOutlooksLimit : .sharedMailbox
                        await transfers.upload(.sharing(file, to: item, as: share, itemTitle: title), to: target)
                    } catch {
                        inbox.post(.uploadRefused("cannot share to \(title ?? item.description): \(Self.saidAfter(error))"))
                    }
                }
            }
        case .shareInstead(let id):
            Task.detached { await transfers.shareInstead(id, as: share) }
        case .openLink(let url):
            do {
                try Opener.open(url, logger: services.logger)
            } catch {
                inbox.post(.notice("could not open the link: \(Self.saidAfter(error))", .error))
            }
        case .cancel(let id):
            Task.detached { await transfers.cancel(id) }
        case .retry(let id):
            Task.detached { await transfers.retry(id) }
        case .remove(let id):
            Task.detached { await transfers.remove(id) }
        case .createDraft(let subject):
            request({ .draftCreated(try await graph.createDraft(subject: subject)) }) { [.draftFailed(Self.said($0))] }
        case .compose(let composition):
            let body: String
            switch editBody() {
            case .success(let text):
                body = text
            case .failure(let problem):
                state.notify("no draft was made: \(problem)", .warning, for: 12)
                return
            }
            let title = composition.title
            state.notify("making the draft “\(title)”…", .info)
            request({ .draftCreated(try await graph.makeDraft(composition, body: body)) }) {
                [.draftFailed("could not make the draft “\(title)”: \(Self.saidAfter($0))")]
            }
        case .pause(let id):
            Task.detached { await transfers.pause(id) }
        case .resume(let id):
            Task.detached { await transfers.resume(id) }
        case .clearFinished:
            Task.detached { await transfers.clearFinished() }
        case .deleteAttachment(let attachment, let item):
            request({
                try await graph.deleteAttachment(attachment.id, of: item)
                return .attachmentDeleted(attachment, of: item)
            }) { [.notice("could not delete \(attachment.name ?? attachment.id): \(Self.saidAfter($0))", .error)] }
        case .download(let download, let attachment, let item):
            downloads[download.id] = Task.detached { [logger = services.logger, copies = openedCopies] in
                await Self.download(download, attachment: attachment, of: item, graph: graph, inbox: inbox, copies: copies, logger: logger)
            }
        case .cancelDownload(let id):
            downloads.removeValue(forKey: id)?.cancel()
        case .sendDraft(let item, let subject):
            // This screen's own transfers the state has weighed; another attache's uploads to
            // the draft (an `attache upload` in a shell) are in the journal.
            let own = Set(state.transfers.compactMap(\.recordID))
            request({
                let decision = try await SendGate.othersRunning(to: item, journal: transfers.journal, graphBase: transfers.graphBase, except: own)
                if case .refuse(let reason) = decision { return .notice("“\(subject)” was not sent: \(reason)", .error) }
                try await graph.sendDraft(item)
                return .draftSent(item, subject: subject)
            }) { [.notice("could not send “\(subject)”: \(Self.saidAfter($0))", .error)] }
        case .notifyAttendees(let item, let title):
            request({
                let attendees = try await graph.notifyAttendees(of: item)
                let who = attendees.count == 1 ? "its attendee" : "its \(attendees.count) attendees"
                return .notice("sent \(who) an update of “\(title)”", .success)
            }) { [.notice("could not update the attendees of “\(title)”: \(Self.saidAfter($0))", .error)] }
        case .loadDetails(let item):
            request({ .detailsLoaded(try await graph.itemDetails(item)) }) { [.detailsFailed(itemID: item.id, Self.said($0))] }
        case .signIn:
            guard let signIn = services.signIn else { return }
            signInTask = Task.detached {
                do {
                    let who = try await signIn { prompt in inbox.post(.signInPrompt(prompt)) }
                    inbox.post(.signedIn(who))
                } catch is CancellationError {
                    // Given up with Esc: nothing to say.
                } catch {
                    if !Task.isCancelled { inbox.post(.signInFailed(Self.said(error))) }
                }
            }
        case .cancelSignIn:
            signInTask?.cancel()
            signInTask = nil
        case .openWorkplace(let change):
            guard let session = services.session else { return }
            Task.detached {
                do {
                    let workplace: Workplace
                    let notice: String
                    switch change {
                    case .signedIn(let who):
                        workplace = try await session.signedIn()
                        notice = "signed in as \(who)"
                    case .mailbox(let address):
                        workplace = try await session.mailbox(address)
                        notice = "working in \(address ?? "your own mailbox")"
                    }
                    inbox.post(.workplaceOpened(workplace, notice: notice))
                } catch {
                    inbox.post(.workplaceFailed("could not open it: \(Self.saidAfter(error))"))
                }
            }
        case .quit:
            state.quitting = true
        case .suspend:
            suspend()
        }
    }

    /// Ctrl-Z: the terminal goes back to the shell and the process stops until `fg`; then
    /// the whole screen is drawn again at the terminal's size. Transfers wait meanwhile, as
    /// the process does. A process no job-control shell started (its group is the session's
    /// own) would stay stopped with no one to continue it: it says so instead.
    private func suspend() {
        guard Self.hasJobControl() else {
            state.notify("Ctrl-Z: the shell that started attache cannot bring it back (no job control), so it stays; q quits", .warning)
            return
        }
        backend.suspend()
        redrawWhole()
    }

    /// The next frame drawn whole, at the terminal's size: after the terminal was away.
    func redrawWhole() {
        previous = nil
        measure()
        draw()
    }

    /// Whether a job-control shell started the process: it runs in a process group of its
    /// own, which the shell makes the terminal's foreground and continues with `fg`.
    nonisolated static func hasJobControl() -> Bool {
        getpgrp() != getsid(0)
    }

    /// Reads, off the loop, the file sizes of attachments attache made before, which the
    /// journal keeps: the attachments pane shows them rather than Graph's.
    private func loadKnownFileSizes() {
        let journal = services.transfers.journal
        let inbox = self.inbox
        Task.detached {
            guard let records = try? await journal.recent(limit: 1000) else { return }
            var sizes: [String: Int64] = [:]
            for record in records where record.state == .done {
                if let id = record.attachmentID { sizes[id] = record.fileSize }
            }
            if !sizes.isEmpty { inbox.post(.knownFileSizes(sizes)) }
        }
    }

    /// Looks, off the loop, for journal rows that no attache holds now and that this screen
    /// never had: what another attache left when it ended or was killed.
    private func lookForOrphans() {
        nextOrphanCheck = ContinuousClock.now + Self.orphanCheckInterval
        // A journal no other process shares (in memory) has no other attache's transfers:
        // every row in it is this screen's, whether or not the screen has heard of it yet.
        guard !lookingForOrphans, !state.quitting, services.transfers.journal.isShared else { return }
        lookingForOrphans = true
        let transfers = services.transfers
        let own = ownRecords
        let inbox = self.inbox
        Task.detached {
            // The queue's own rows too: a row this screen's upload just made may not have
            // reached the loop yet (its claim, taken before the row, guards it as well).
            let queued = Set(await transfers.snapshots.compactMap(\.recordID))
            let records = (try? await transfers.unfinished()) ?? []
            let plan = transfers.planResume(records.filter { !own.contains($0.id) && !queued.contains($0.id) })
            inbox.post(.orphansFound(plan))
        }
    }

    /// Takes over what ``lookForOrphans()`` found, unless this screen has had it meanwhile:
    /// each resumes from where its session stands, as at start.
    private func takeOver(_ found: TransferService.ResumePlan) {
        lookingForOrphans = false
        var plan = found
        plan.resumable = found.resumable.filter { !ownRecords.contains($0.record.id) }
        plan.otherGraph = []
        plan.runningElsewhere = []
        guard !plan.resumable.isEmpty else { return }
        for entry in plan.resumable { ownRecords.insert(entry.record.id) }
        let names = plan.resumable.map { $0.job.file.shownName.terminalSafe }
        let count = names.count
        state.notify(
            "taking over \(count == 1 ? names[0] : "\(count) transfers"), left unfinished by an attache that is no longer running", .info, for: 10)
        dirty = true
        let transfers = services.transfers
        Task.detached { await transfers.resume(plan) }
    }

    /// Streams one attachment to where the download says (or to a private temporary folder,
    /// to open it), reporting progress at most ten times a second.
    nonisolated static func download(
        _ download: AppState.Download, attachment: AttachmentInfo, of item: ItemReference, graph: GraphClient, inbox: Inbox,
        copies: TemporaryCopies, logger: Logger
    ) async {
        var path = download.destination
        do {
            if download.opensWhenDone {
                let folder = try TemporaryFolder.make(prefix: "attache-open-")
                copies.add(folder)
                path = folder + "/" + download.name
            }
            let destination = try DownloadDestination.inspect(path)
            let throttle = ProgressThrottle()
            let result = try await graph.downloadAttachment(attachment.id, of: item, to: destination, maximumBytes: attachment.size) { bytes in
                if throttle.shouldReport() { inbox.post(.downloadProgress(id: download.id, bytes: bytes)) }
            }
            if download.opensWhenDone {
                try Opener.open(path, logger: logger)
            }
            inbox.post(.downloadFinished(id: download.id, bytes: result.bytes))
        } catch is CancellationError {
            inbox.post(.downloadFailed(id: download.id, "stopped saving \(download.name)"))
        } catch {
            inbox.post(.downloadFailed(id: download.id, "could not \(download.opensWhenDone ? "open" : "save") \(download.name): \(Self.saidAfter(error))"))
        }
    }

    /// Where `s` proposes to save: `XDG_DOWNLOAD_DIR`, else `~/Downloads`, else the folder
    /// the picker starts in, whichever is a folder.
    nonisolated static func downloadDirectory(startDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var candidates: [String] = []
        if let xdg = environment["XDG_DOWNLOAD_DIR"], !xdg.isEmpty { candidates.append(xdg) }
        if let home = environment["HOME"], !home.isEmpty { candidates.append(home + "/Downloads") }
        return candidates.first { FileStatus(at: $0, followingLinks: true)?.kind == .directory } ?? startDirectory
    }

    /// Runs a request off the main actor and posts the event it gives, or the events
    /// `failure` makes of its error: every effect that asks Graph something goes this way.
    private func request(_ work: @escaping @Sendable () async throws -> AppEvent, failure: @escaping @Sendable (any Error) -> [AppEvent]) {
        let inbox = self.inbox
        Task.detached {
            do {
                inbox.post(try await work())
            } catch {
                for event in failure(error) { inbox.post(event) }
            }
        }
    }

    /// `error` in the screen's words: its advice named by keys, not commands.
    nonisolated static func said(_ error: any Error) -> String {
        Advice.$style.withValue(.screen) { "\(error)" }
    }

    /// `error` after a phrase that already says what failed (`could not save report.pdf: …`):
    /// a Graph error's own `could not download …:` is left out, so the message says it once.
    nonisolated static func saidAfter(_ error: any Error) -> String {
        let text = said(error)
        guard let graph = error as? GraphError else { return text }
        let lead = "could not \(graph.operation): "
        return text.hasPrefix(lead) ? String(text.dropFirst(lead.count)) : text
    }

    /// The sign-in dialog's event, when Graph refused the sign-in itself (a 401 no refresh
    /// mended), saying what went wrong.
    nonisolated static func signInNeeded(_ error: any Error) -> [AppEvent] {
        guard let error = error as? GraphError, error.status == 401 else { return [] }
        return [.signInNeeded(error.message ?? error.description)]
    }

    private func subscribe() {
        let transfers = services.transfers
        let inbox = self.inbox
        subscription = Task.detached {
            for await event in await transfers.events() {
                inbox.post(.transfer(event))
            }
        }
    }

    /// SIGTERM, SIGHUP and SIGINT end the app as `q` would, with uploads kept for a resume;
    /// SIGWINCH reflows the screen at once.
    private func installSignalHandlers() {
        for number in [SIGTERM, SIGHUP, SIGINT, SIGWINCH] {
            signalSources.append(Self.signalSource(number, posting: Self.event(forSignal: number), to: inbox))
        }
    }

    private nonisolated static func event(forSignal number: Int32) -> AppEvent {
        number == SIGWINCH ? .terminalResized : .quitRequested
    }

    /// Nonisolated: the handler runs on a dispatch queue, not on the main actor.
    private nonisolated static func signalSource(_ number: Int32, posting event: AppEvent, to inbox: Inbox) -> any DispatchSourceSignal {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { inbox.post(event) }
        source.resume()
        return source
    }

    /// Gives the signals back to their defaults.
    private func restoreSignals() {
        for source in signalSources { source.cancel() }
        signalSources = []
        if catchesSignals {
            for number in [SIGTERM, SIGHUP, SIGINT, SIGWINCH] { signal(number, SIG_DFL) }
        }
    }

    private func shutDown() async -> Int {
        restoreSignals()
        signInTask?.cancel()
        // An attachment being saved is given up: its partial file is removed, the old one kept.
        for download in downloads.values {
            download.cancel()
            await download.value
        }
        downloads = [:]
        // Requests in flight get the queue's grace to finish; then the cleanups theirs.
        let unfinished = await services.transfers.interruptAllAndWait()
        subscription?.cancel()
        // The copies `o` handed to other programs go with the screen.
        openedCopies.removeAll()
        return unfinished
    }
}
