import ArgumentParser
import AttacheCore
import Foundation

/// `attache config`: what is in effect, each setting with where it came from.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the settings in effect and where each comes from; secrets masked.",
        usage: "attache config [--json] [<options>]",
        discussion: """
            Each setting comes from its flag, else the environment, else the configuration \
            file ($XDG_CONFIG_HOME/attache/config.toml, or --config), else attache's default. \
            Tokens are never shown, only whether there is one and where it is kept.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object on stdout.")
    var json = false

    func run() async throws {
        let settings = try EffectiveSettings(global)
        let config = settings.config
        let path = global.paths.configFile
        var rows: [(String, String, String)] = []
        func row(_ name: String, _ value: String, _ source: String) { rows.append((name, value, source)) }
        row("config file", path, config.path == nil ? "not there" : "read")
        // The account commands would use, as they pick it: none when a token is given.
        let registry = try? AccountRegistry(stateDirectory: global.paths.stateDirectory).read()
        let signedIn = Self.tokenSource(global) != nil ? nil : registry.flatMap { SignedInAccount.pick($0, settings) }
        if let name = settings.accountName {
            row("account", name.value, name.source)
        } else if let signedIn {
            row("account", signedIn.username, "signed in last")
        } else {
            row("account", "none", "the embedded demo mailbox")
        }
        if let graph = settings.graph {
            row("graph", graph.value, graph.source)
        } else if let signedIn {
            row("graph", signedIn.graph, "the signed-in account")
        } else {
            row("graph", "the embedded Graph emulator", "no account signed in")
        }
        // What the signed-in account signed in with, unless a flag or the file says otherwise.
        func signIn(_ name: String, _ setting: EffectiveSettings.Sourced<String>, _ ofAccount: (SignInSettings) -> String) {
            if setting.source == "default", let signedIn {
                row(name, ofAccount(signedIn.signIn), "the signed-in account")
            } else {
                row(name, setting.value, setting.source)
            }
        }
        signIn("authority", settings.authority) { $0.authority }
        signIn("tenant", settings.tenant) { $0.tenant }
        signIn("client id", settings.clientID) { $0.clientID }
        row("mailbox", settings.mailbox?.value ?? "your own (me)", settings.mailbox?.source ?? "default")
        row("token", Self.tokenSource(global) ?? "none given", Self.tokenSource(global) == nil ? "sign-in tokens are used" : "masked")
        row("token store", TokenStores.forSession(stateDirectory: global.paths.stateDirectory).location, "")
        row("state directory", global.paths.stateDirectory, global.stateDir == nil ? "default" : "--state-dir")
        row("chunk size", "\(config.chunkSize ?? AttachmentLimits.defaultRangeLength)", config.chunkSize == nil ? "default" : "config")
        row("parallel", "\(config.parallel ?? 4)", config.parallel == nil ? "default" : "config")
        row("theme", config.theme ?? "default", config.theme == nil ? "default" : "config")
        row("request timeout", "\(Int(settings.requestTimeout.seconds)) s", config.requestTimeout == nil ? "default" : "config")
        row("outage limit", TransferFormat.span(settings.outageTolerance.seconds), config.outageTolerance == nil ? "default" : "config")
        row("upload budget", settings.uploadBudget.map { "\($0.value)" } ?? "none until a 429 teaches one", settings.uploadBudget?.source ?? "default")
        let share = config.share
        row(
            "link fallback", config.linkFallback == true ? "on: what Outlook cannot take goes as a OneDrive link" : "off: only with --link (the screen asks)",
            config.linkFallback == nil ? "default" : "config")
        row("link folder", share.folder, config.linkFolder == nil ? "default" : "config")
        row("link", "\(share.linkType.rawValue), for \(share.linkScope.audience)", config.linkScope == nil && config.linkType == nil ? "default" : "config")
        if json {
            var object: [String: Any?] = [:]
            for (name, value, source) in rows {
                object[name.replacingOccurrences(of: " ", with: "_")] = ["value": value, "source": source]
            }
            Console.json(object)
            return
        }
        for (name, value, source) in rows {
            Console.out(name.padding(toLength: 16, withPad: " ", startingAt: 0) + value + (source.isEmpty ? "" : "  (\(source))"))
        }
    }

    /// Where the token given for scripts came from, never the token.
    static func tokenSource(_ options: GlobalOptions) -> String? {
        if options.token != nil { return "******** from --token" }
        if let file = options.tokenFile { return "******** from --token-file \(file)" }
        if let value = ProcessInfo.processInfo.environment["ATTACHE_TOKEN"], !value.isEmpty { return "******** from ATTACHE_TOKEN" }
        return nil
    }
}
