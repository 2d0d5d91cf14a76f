import ArgumentParser
import AsyncHTTPClient
import AttacheCore
import AttacheTUI
import Foundation
import Logging

/// `attache` with no subcommand: the full-screen terminal UI.
struct ScreenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Open the terminal UI (what plain `attache` does).",
        usage: "attache [tui] [<options>]",
        discussion: """
            Pick an item, press a to pick files, watch each range land, cancel with c, pause with \
            p, retry with r. Enter reads an item; in its attachments s saves, o opens, x deletes; \
            S sends a draft; ? lists every key. Uploads an earlier run left unfinished are resumed \
            when it opens (unless another attache is running them). Logs go to the state \
            directory, never to the screen.

            Colours come from --theme: \(Theme.builtinNames.joined(separator: ", ")), the name of a \
            NAME.theme file in ~/.config/attache/themes or in the themes installed with attache, or \
            the path to one. NO_COLOR turns them off.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Colour theme: a name or a path to a .theme file (default: default, or the config's theme).", valueName: "name"))
    var theme: String?

    @Option(help: ArgumentHelp("Bytes per ranged PUT: a multiple of 327680 (320 KiB) under 4 MiB (default: 3932160, or the config's chunk_size).", valueName: "bytes"))
    var chunkSize: Int64?

    @Option(help: ArgumentHelp("Transfers at once, 1 to 8 (default: 4, or the config's parallel; Outlook allows 4 requests at once per mailbox).", valueName: "n"))
    var parallel: Int?

    @Option(help: ArgumentHelp("Folder the file picker opens in (default: the current one).", valueName: "dir"))
    var startDir: String?

    func validate() throws {
        do {
            if let chunkSize { try UploadPlan.validate(rangeLength: chunkSize) }
        } catch {
            throw ValidationError("--chunk-size: \(error)")
        }
        if let parallel, !(1...8).contains(parallel) { throw ValidationError("--parallel must be from 1 to 8") }
        if global.logFile == "-" { throw ValidationError("the screen owns the terminal: give --log-file a path, not '-'") }
    }

    func run() async throws {
        let defaults = try EffectiveSettings(global).config
        let chosenTheme: Theme
        do {
            chosenTheme = try Theme.load(EffectiveSettings.value(theme, configured: defaults.theme, default: "default"), searching: Theme.searchDirectories())
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.usage)
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            Console.error("attache's screen needs a terminal; for scripts use a subcommand (see attache --help)")
            throw ExitCode(ExitCodes.usage)
        }
        // A terminal the screen cannot run on (TERM=dumb, one terminfo does not know) is
        // refused with a sentence before anything starts: ncurses would print its own line
        // and exit 1, or draw nothing while keys act unseen.
        do {
            try await MainActor.run { try NCursesBackend.checkTerminal() }
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.usage)
        }
        let logger = try global.logger("attache.tui", reportingLogFailures: false)
        let journal = try GraphConnection.journal(global, logger: logger)
        let unfinished = (try? await journal.unfinished()) ?? []
        let startDirectory = startDir.map { ($0 as NSString).standardizingPath } ?? FileManager.default.currentDirectoryPath
        let backend = await MainActor.run { NCursesBackend(theme: chosenTheme, noColor: Self.noColor) }
        let session = ScreenConnections(options: global, logger: logger)
        let first: GraphConnection
        do {
            first = try await session.open()
        } catch {
            await session.closeAll()
            throw error
        }
        let transfers = first.transferService(
            journal: journal, concurrency: EffectiveSettings.value(parallel, configured: defaults.parallel, default: 4))
        let rangeLength = EffectiveSettings.value(chunkSize, configured: defaults.chunkSize, default: AttachmentLimits.defaultRangeLength)
        var services = TUIApplication.Services(
            graph: first.graph, transfers: transfers, rangeLength: rangeLength, logger: logger,
            signIn: Self.signIn(global, http: first.http, logger: logger), session: session)
        services.share = defaults.share
        services.linkFallback = defaults.linkFallback == true
        let account = first.accountDescription
        let resumed = await Self.resume(transfers.planResume(unfinished), on: transfers)
        let interrupted: Int
        do {
            let app = await MainActor.run {
                TUIApplication(services: services, backend: backend, account: account, startDirectory: startDirectory, notice: resumed)
            }
            interrupted = try await app.run()
        } catch let error as TerminalError {
            await session.closeAll()
            Console.error(error.description)
            throw ExitCode(ExitCodes.usage)
        } catch {
            await session.closeAll()
            throw error
        }
        await session.closeAll()
        if interrupted > 0 {
            Console.err(
                interrupted == 1
                    ? "attache: 1 upload interrupted; `attache resume` finishes it"
                    : "attache: \(interrupted) uploads interrupted; `attache resume` finishes them")
            throw ExitCode(ExitCodes.interrupted)
        }
    }

    /// What `L` runs: a device-code sign-in with the settings in effect.
    /// It borrows the connection's HTTP client, which lives as long as the screen does.
    static func signIn(
        _ options: GlobalOptions, http: HTTPClient, logger: Logger
    ) -> @Sendable (@escaping @Sendable (SignInFlow.Prompt) -> Void) async throws -> String {
        let effective = try? EffectiveSettings(options)
        var settings = effective?.signIn ?? SignInSettings()
        // M can switch to a shared mailbox later in the same screen: ask for that too.
        settings.scopes += ["Mail.ReadWrite.Shared", "Calendars.ReadWrite.Shared", "Mail.Send.Shared"]
        let graph = effective?.graph?.value ?? Account.defaultGraph
        let stateDirectory = options.paths.stateDirectory
        let timeout = effective?.requestTimeout ?? .seconds(60)
        return { [settings] prompt in
            var flow = SignInFlow(settings: settings, graph: graph, stateDirectory: stateDirectory, http: http, logger: logger)
            flow.requestTimeout = timeout
            let result = try await flow.withDeviceCode(prompt: prompt)
            return result.user.displayName.map { "\($0) <\(result.account.username)>" } ?? result.account.username
        }
    }

    /// Queues what an earlier run left unfinished, and says so; transfers that belong to
    /// another Graph or that another attache is running are only counted.
    static func resume(_ resumable: TransferService.ResumePlan, on transfers: TransferService) async -> String? {
        await transfers.resume(resumable)
        var parts: [String] = []
        if !resumable.resumable.isEmpty {
            let count = resumable.resumable.count
            parts.append("resuming \(count) unfinished \(count == 1 ? "transfer" : "transfers") from an earlier run")
        }
        if !resumable.runningElsewhere.isEmpty {
            parts.append("\(resumable.runningElsewhere.count) running in another attache")
        }
        if !resumable.otherGraph.isEmpty {
            parts.append("\(resumable.otherGraph.count) for another Graph (see `attache status`)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// `NO_COLOR` set to anything but the empty string turns colours off (no-color.org).
    static var noColor: Bool {
        guard let value = ProcessInfo.processInfo.environment["NO_COLOR"] else { return false }
        return !value.isEmpty
    }
}

