import ArgumentParser
import AsyncHTTPClient
import AttacheCore
import Foundation
import GraphEmulator
import Logging
import Synchronization

/// Options every command takes: which Graph, which token, where state lives, how much to log.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Graph root, e.g. http://127.0.0.1:PORT/v1.0 (default: start the embedded emulator).", valueName: "url"))
    var graph: String?

    @Option(name: .long, help: ArgumentHelp("Bearer token for --graph (default: $ATTACHE_TOKEN); shows in ps, so prefer --token-file.", valueName: "token"))
    var token: String?

    @Option(name: .long, help: ArgumentHelp("Read the bearer token for --graph from this file.", valueName: "file"))
    var tokenFile: String?

    @Option(name: .long, help: ArgumentHelp("Identity platform to sign in with (default: https://login.microsoftonline.com).", valueName: "url"))
    var authority: String?

    @Option(name: .long, help: ArgumentHelp("Tenant: organizations (default), common, consumers, a domain or a GUID.", valueName: "tenant"))
    var tenant: String?

    @Option(name: .long, help: ArgumentHelp("Application (client) id of a public client (default: Microsoft Graph Command Line Tools).", valueName: "id"))
    var clientId: String?

    @Option(name: .long, help: ArgumentHelp("The [accounts.NAME] of the config file to use (default: its account, else the one signed in last).", valueName: "name"))
    var account: String?

    @Option(name: .long, help: ArgumentHelp("Work in this shared or delegated mailbox, by its address (default: your own).", valueName: "upn"))
    var mailbox: String?

    @Option(name: .long, help: ArgumentHelp("The configuration file (default: $XDG_CONFIG_HOME/attache/config.toml).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("PEM file of certificate authorities to trust besides the system's (default: $SSL_CERT_FILE).", valueName: "file"))
    var caFile: String?

    @Option(name: .long, help: ArgumentHelp("Where the journal, logs and embedded emulator live (default: $XDG_STATE_HOME/attache).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    @Option(name: .long, help: ArgumentHelp("Log file ('-' for stderr; default: attache.log in the state directory).", valueName: "path"))
    var logFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Keep uploads to each mailbox within this budget from the start, as SIZE/TIME: 150MB/5m, 30000000/20s (default: the config's upload_budget; else learnt from Outlook's first 429: its Retry-After and the bytes seen accepted).",
        valueName: "budget"))
    var uploadBudget: String?

    var paths: AttachePaths { AttachePaths(stateDirectory: stateDir, configFile: config) }

    /// Certificate authorities to trust besides the system's: `--ca-file`, else `SSL_CERT_FILE`.
    var extraTrustRoots: String? {
        caFile ?? ProcessInfo.processInfo.environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An HTTP client that trusts what the options say (the file was read once already, by
    /// ``validate()``, which refuses one that cannot be used).
    func makeHTTPClient() -> HTTPClient {
        GraphClient.makeHTTPClient(extraTrustRoots: extraTrustRoots.flatMap { try? GraphClient.loadTrustRoots($0) })
    }

    /// The bearer token given for scripts: --token, --token-file, or $ATTACHE_TOKEN.
    /// A token that cannot go in a header as it is (a `\r` from a Windows file, say) is
    /// refused here, before any request, naming where it came from and never its value.
    func givenToken() throws -> String? {
        guard let (token, source) = try givenTokenAndSource() else { return nil }
        do {
            try UnusableTokenError.check(token, from: source)
        } catch {
            Console.error(error.description)
            throw ExitCode(ExitCodes.usage)
        }
        return token
    }

    private func givenTokenAndSource() throws -> (String, String)? {
        if let token { return (token, "--token") }
        if let tokenFile {
            let text: String
            do {
                text = try String(contentsOfFile: tokenFile, encoding: .utf8)
            } catch {
                Console.error("cannot read the token file \(tokenFile.terminalSafe): \((error as NSError).localizedDescription)")
                throw ExitCode(ExitCodes.usage)
            }
            // One line, as `echo TOKEN > file` or an editor writes it (a final CRLF too).
            var line = Substring(text)
            while let last = line.last, last == "\n" || last == "\r\n" || last == "\r" || last == " " || last == "\t" { line = line.dropLast() }
            while let first = line.first, first == " " || first == "\t" { line = line.dropFirst() }
            guard !line.isEmpty else {
                Console.error("the token file \(tokenFile.terminalSafe) is empty")
                throw ExitCode(ExitCodes.usage)
            }
            return (String(line), "the token file \(tokenFile.terminalSafe)")
        }
        if let environment = ProcessInfo.processInfo.environment["ATTACHE_TOKEN"], !environment.isEmpty { return (environment, "ATTACHE_TOKEN") }
        return nil
    }

    mutating func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let uploadBudget {
            do {
                _ = try UploadBudget(parsing: uploadBudget)
            } catch {
                throw ValidationError("--upload-budget \(error)")
            }
        }
        if let graph {
            do {
                _ = try HTTPURL(validating: graph)
            } catch {
                throw ValidationError("--graph '\(graph.terminalSafe)': \(error); give a URL such as http://127.0.0.1:8080/v1.0")
            }
        }
        if let authority {
            do {
                _ = try HTTPURL(validating: authority)
            } catch {
                throw ValidationError("--authority '\(authority.terminalSafe)': \(error); give a URL such as https://login.microsoftonline.com")
            }
        }
        if token != nil, tokenFile != nil { throw ValidationError("give --token or --token-file, not both") }
        if let mailbox, !mailbox.contains("@") || mailbox.contains("/") {
            throw ValidationError("--mailbox '\(mailbox.terminalSafe)' must be a mailbox's address, such as shared@contoso.com")
        }
        for (flag, value) in [("--graph", graph), ("--authority", authority)] {
            guard let value, let url = try? HTTPURL(validating: value), url.scheme == "http" else { continue }
            // Tokens cross this connection: in the clear only to this machine.
            guard EmulatorConfiguration.isLoopback(url.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) else {
                throw ValidationError("\(flag) must be https:// (plain http only for a loopback host such as 127.0.0.1)")
            }
        }
        if let caFile = extraTrustRoots {
            // Read now, so that a file that is no PEM (or a FIFO) is said to be one, rather
            // than fail the first handshake as the server's certificate.
            do {
                _ = try GraphClient.loadTrustRoots(caFile)
            } catch {
                throw ValidationError("\(self.caFile == nil ? "SSL_CERT_FILE" : "--ca-file") \(error)")
            }
        }
    }

    /// Routes every logger of the process to the log file (set up once per run). A log that
    /// cannot be written is said once on stderr, unless the screen owns the terminal.
    func bootstrapLogging(reportingFailures: Bool = true) {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let path = logFile == "-" ? "standard error" : logFile ?? paths.logFile
        let onFailure: @Sendable (String) -> Void = { reason in
            guard reportingFailures else { return }
            Console.warning("cannot write the log \(path) (\(reason)); attache goes on without it")
        }
        LoggingBootstrap.once(level: level) {
            logFile == "-" ? FileLogHandler.Sink(standardError: (), onFailure: onFailure) : FileLogHandler.Sink(path: path, onFailure: onFailure)
        }
    }

    /// Makes sure the state directory is safe to write to, then starts logging: what every
    /// command does first.
    func logger(_ label: String = "attache", reportingLogFailures: Bool = true) throws -> Logger {
        do {
            try paths.prepareStateDirectory()
        } catch {
            Console.error(error.description)
            throw ExitCode(ExitCodes.failed)
        }
        // A broken configuration file stops every command, with the line that is wrong.
        _ = try EffectiveSettings(self)
        bootstrapLogging(reportingFailures: reportingLogFailures)
        return Logger(label: label)
    }
}

/// `LoggingSystem.bootstrap` may run once per process.
enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func once(level: Logger.Level, sink makeSink: () -> FileLogHandler.Sink) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let sink = makeSink()
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, level: level) }
    }
}
