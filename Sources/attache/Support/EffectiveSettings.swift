import ArgumentParser
import AttacheCore
import Foundation

/// What is in effect for a command: each setting from its flag, else the environment, else
/// the configuration file, else attache's default, and where it came from.
struct EffectiveSettings {
    /// A value and where it came from, for `attache config`.
    struct Sourced<Value> {
        var value: Value
        var source: String
    }

    let config: AttacheConfig
    /// The `[accounts.NAME]` in use, if any.
    let accountName: Sourced<String>?
    let authority: Sourced<String>
    let tenant: Sourced<String>
    let clientID: Sourced<String>
    let graph: Sourced<String>?
    let mailbox: Sourced<String>?
    /// What uploads keep to from the start; `nil` until Outlook's 429 names one.
    let uploadBudget: Sourced<UploadBudget>?

    /// Reads the configuration the options point to; a broken file ends the command with
    /// one line naming the file, the line and the key (exit 64).
    init(_ options: GlobalOptions) throws {
        let path = options.paths.configFile
        let config: AttacheConfig
        do {
            config = try AttacheConfig.load(path: path)
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.usage)
        }
        self.config = config
        let accountName: Sourced<String>?
        if let name = options.account {
            guard config.accounts[name] != nil else {
                Console.error("--account \(name): \(path) has no [accounts.\(name)] table")
                throw ExitCode(ExitCodes.usage)
            }
            accountName = Sourced(value: name, source: "--account")
        } else {
            accountName = config.account.map { Sourced(value: $0, source: "config") }
        }
        self.accountName = accountName
        let account = accountName.flatMap { config.accounts[$0.value] }
        let from = accountName.map { "account \($0.value)" } ?? "config"
        func pick(_ flag: String?, _ flagName: String, _ configured: String?, _ fallback: String) -> Sourced<String> {
            if let flag { return Sourced(value: flag, source: flagName) }
            if let configured { return Sourced(value: configured, source: from) }
            return Sourced(value: fallback, source: "default")
        }
        authority = pick(options.authority, "--authority", account?.authority, SignInSettings.defaultAuthority)
        tenant = pick(options.tenant, "--tenant", account?.tenant, SignInSettings.defaultTenant)
        clientID = pick(options.clientId, "--client-id", account?.clientID, SignInSettings.defaultClientID)
        graph = options.graph.map { Sourced(value: $0, source: "--graph") } ?? account?.graph.map { Sourced(value: $0, source: from) }
        mailbox = options.mailbox.map { Sourced(value: $0, source: "--mailbox") } ?? account?.mailbox.map { Sourced(value: $0, source: from) }
        // Checked when the options were parsed.
        uploadBudget =
            options.uploadBudget.flatMap { try? UploadBudget(parsing: $0) }.map { Sourced(value: $0, source: "--upload-budget") }
            ?? config.uploadBudget.map { Sourced(value: $0, source: "config") }
    }

    /// How long one answer may take (a Graph reply, the identity platform's, the Secret
    /// Service's): the config's `request_timeout`, else 60 s.
    var requestTimeout: Duration { config.requestTimeout ?? .seconds(60) }

    /// How long a transfer rides out an outage: the config's `outage_tolerance`, else 5 min.
    var outageTolerance: Duration { config.outageTolerance ?? RetryPolicy().outageTolerance }

    var signIn: SignInSettings {
        SignInSettings(authority: authority.value, tenant: tenant.value, clientID: clientID.value)
    }

    /// What a sign-in asks for: another user's mailbox takes the `.Shared` permissions too.
    var signInSettingsForLogin: SignInSettings {
        var settings = signIn
        if mailbox != nil { settings.scopes += ["Mail.ReadWrite.Shared", "Calendars.ReadWrite.Shared", "Mail.Send.Shared"] }
        return settings
    }

    /// Something names the account to use (a flag, or the configuration), rather than
    /// leaving it to the one signed in last.
    var namesAccount: Bool {
        accountName != nil || authority.source != "default" || tenant.source != "default" || clientID.source != "default" || graph != nil
    }

    /// A command's own setting: its flag, else `[defaults]`, else the built-in value.
    static func value<T>(_ flag: T?, configured: T?, default fallback: T) -> T {
        flag ?? configured ?? fallback
    }
}
