import AttacheCore
import Dispatch
import Foundation
import Logging

/// Runs the screen: one loop on the main actor that sleeps in `poll` until a key or an event
/// arrives, folds it into ``AppState``, performs the effects off the main actor, and redraws
/// (keys at once, events at most ten times a second, nothing at all when idle).
@MainActor
public final class TUIApplication {
    /// The core services the screen drives.
    public struct Services: Sendable {
        public var graph: GraphClient
        /// Starts, cancels and reports every transfer; the screen only shows what it publishes.
        public var transfers: TransferService
        public var rangeLength: Int64
        public var logger: Logger

        public init(graph: GraphClient, transfers: TransferService, rangeLength: Int64, logger: Logger) {
            self.graph = graph
            self.transfers = transfers
            self.rangeLength = rangeLength
            self.logger = logger
        }
    }

    private let services: Services
    private let backend: any TerminalBackend
    private let inbox = Inbox()
    private var state: AppState
    private var previous: ScreenBuffer?
    private var dirty = true
    private var lastDraw = ContinuousClock.now.advanced(by: .seconds(-1))
    private var signalSources: [any DispatchSourceSignal] = []
    private var subscription: Task<Void, Never>?
    private var startupNotice: String?

    public init(services: Services, backend: any TerminalBackend, account: String, startDirectory: String, notice: String? = nil) {
        self.services = services
        self.backend = backend
        self.state = AppState(account: account, pickerDirectory: startDirectory)
        self.startupNotice = notice
    }

    /// Runs until the user quits or a signal ends it; returns how many uploads were left
    /// unfinished (interrupted, kept for `attache resume`).
    public func run() async throws -> Int {
        // Before the backend starts, so ncurses finds SIGWINCH taken and leaves it to us.
        installSignalHandlers()
        try backend.start()
        defer { backend.stop() }
        subscribe()
        if let startupNotice { state.notify(startupNotice, .info, for: 10) }
        perform([.loadItems(.message), .loadItems(.event)])
        while !state.quitting {
            loopOnce()
        }
        return await shutDown()
    }

    // MARK: The loop

    private func loopOnce() {
        let now = ContinuousClock.now
        if dirty, now - lastDraw >= .milliseconds(100) { draw() }
        var timeout: Int32 = -1
        if dirty {
            timeout = Int32(max(1, (lastDraw + .milliseconds(100) - now).milliseconds))
        } else if state.needsTicks {
            timeout = 1000
        }
        var fds = [
            pollfd(fd: backend.inputDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: inbox.readDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&fds, nfds_t(fds.count), timeout)
        // Keys: read whatever is there (also after EINTR, which a SIGWINCH causes).
        let keys = backend.readKeys()
        if !keys.isEmpty {
            for key in keys {
                if key == .resize {
                    previous = nil
                }
                perform(state.handle(key))
            }
            draw()
        }
        for event in inbox.take() {
            if case .terminalResized = event {
                backend.resized()
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
        if state.needsTicks || before != state.status { dirty = true }
    }

    private func draw() {
        let (width, height) = backend.size
        var buffer = ScreenBuffer(width: width, height: height)
        RootView(state: state, unicode: backend.unicode).render(in: buffer.bounds, into: &buffer)
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
        let queue = transfers.queue
        let inbox = self.inbox
        let rangeLength = services.rangeLength
        switch effect {
        case .loadItems(let kind):
            Task.detached {
                do {
                    inbox.post(.itemsLoaded(kind, try await graph.items(kind, limit: 500, expandAttachments: true)))
                } catch {
                    inbox.post(.itemsFailed(kind, "\(error)"))
                }
            }
        case .loadAttachments(let item):
            Task.detached {
                do {
                    inbox.post(.attachmentsLoaded(itemID: item.id, try await graph.attachments(of: item)))
                } catch {
                    inbox.post(.attachmentsFailed(itemID: item.id, "\(error)"))
                }
            }
        case .upload(let paths, let item, let title):
            Task.detached {
                for path in paths {
                    do {
                        let file = try LocalFile.inspect(path)
                        await transfers.upload(try UploadJob(file: file, item: item, rangeLength: rangeLength, itemTitle: title))
                    } catch {
                        inbox.post(.uploadRefused("cannot attach to \(title ?? item.description): \(error)"))
                    }
                }
            }
        case .cancel(let id):
            Task.detached { await transfers.cancel(id) }
        case .retry(let id):
            Task.detached { await queue.retry(id) }
        case .remove(let id):
            Task.detached { await queue.remove(id) }
        case .createDraft(let subject):
            Task.detached {
                do {
                    inbox.post(.draftCreated(try await graph.createDraft(subject: subject)))
                } catch {
                    inbox.post(.draftFailed("\(error)"))
                }
            }
        case .quit:
            state.quitting = true
        }
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
            signalSources.append(Self.signalSource(number, posting: number == SIGWINCH ? .terminalResized : .quitRequested, to: inbox))
        }
    }

    /// Nonisolated: the handler runs on a dispatch queue, not on the main actor.
    private nonisolated static func signalSource(_ number: Int32, posting event: AppEvent, to inbox: Inbox) -> any DispatchSourceSignal {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { inbox.post(event) }
        source.resume()
        return source
    }

    private func shutDown() async -> Int {
        for source in signalSources { source.cancel() }
        for number in [SIGTERM, SIGHUP, SIGINT, SIGWINCH] { signal(number, SIG_DFL) }
        let queue = services.transfers.queue
        let unfinished = await queue.snapshots.filter { !$0.phase.isTerminal }.count
        await services.transfers.interruptAll()
        // Requests in flight get the queue's grace to finish; then the cleanups theirs.
        let deadline = ContinuousClock.now + TransferQueue.stopGrace + .seconds(5)
        while ContinuousClock.now < deadline, await !queue.snapshots.allSatisfy({ $0.phase.isTerminal }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        subscription?.cancel()
        return unfinished
    }
}
