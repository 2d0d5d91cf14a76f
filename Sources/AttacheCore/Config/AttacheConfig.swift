import Foundation
import TOMLKit

/// What `config.toml` says. Everything is optional: flags and the environment override it,
/// and built-in defaults fill in the rest. It never holds a secret.
///
/// ```toml
/// account = "work"            # the account commands use when none is named
///
/// [defaults]
/// chunk_size = 3932160        # bytes per ranged PUT
/// parallel = 4                # transfers at once
/// upload_budget = "150MB/5m"  # keep to Outlook's upload limit from the start
/// request_timeout = 60        # seconds one reply may take, head to last byte
/// outage_tolerance = 300      # seconds a transfer rides out a server it cannot reach
/// theme = "default"
///
/// [links]                     # files Outlook cannot take, shared from OneDrive instead
/// fallback = false            # true: as --link always (the screen then does not ask)
/// folder = "Attachments/attache"
/// scope = "organization"      # organization, users or anonymous
/// type = "view"               # view or edit
/// fragment_size = 10485760    # bytes per fragment: a multiple of 327680 under 60 MiB
///
/// [accounts.work]
/// graph = "https://graph.microsoft.com/v1.0"
/// authority = "https://login.microsoftonline.com"
/// tenant = "contoso.com"
/// client_id = "00000000-0000-0000-0000-000000000000"
/// mailbox = "shared@contoso.com"
/// ```
public struct AttacheConfig: Hashable, Sendable {
    /// One `[accounts.NAME]` table.
    public struct AccountSettings: Hashable, Sendable {
        public var name: String
        public var graph: String?
        public var authority: String?
        public var tenant: String?
        public var clientID: String?
        /// A shared or delegated mailbox to work in, by UPN.
        public var mailbox: String?

        public init(name: String, graph: String? = nil, authority: String? = nil, tenant: String? = nil, clientID: String? = nil, mailbox: String? = nil) {
            self.name = name
            self.graph = graph
            self.authority = authority
            self.tenant = tenant
            self.clientID = clientID
            self.mailbox = mailbox
        }
    }

    /// The file it was read from; `nil` when there is none.
    public var path: String?
    /// The name of the account commands use when none is named.
    public var account: String?
    public var accounts: [String: AccountSettings] = [:]
    public var chunkSize: Int64?
    public var parallel: Int?
    public var theme: String?
    /// Bytes per window sent to one mailbox, kept to from the first byte.
    public var uploadBudget: UploadBudget?
    /// How long attache waits for one answer, whole: a Graph reply, the identity platform's,
    /// the Secret Service's. `nil` for each one's default.
    public var requestTimeout: Duration?
    /// How long a transfer rides out an outage (no reply, a gateway's 502/504) before it
    /// fails; 0 counts tries instead. `nil` for the default, five minutes.
    public var outageTolerance: Duration?
    /// `[links] fallback`: share as a link whatever Outlook cannot take, without being asked.
    public var linkFallback: Bool?
    /// `[links]`: where and how files are shared (folder, scope, type); `nil` fields keep the defaults.
    public var linkFolder: String?
    public var linkScope: DriveShare.LinkScope?
    public var linkType: DriveShare.LinkType?
    public var fragmentSize: Int64?

    /// The share the `[links]` table describes, over the defaults.
    public var share: DriveShare {
        var share = DriveShare()
        if let linkFolder { share.folder = linkFolder }
        if let linkScope { share.linkScope = linkScope }
        if let linkType { share.linkType = linkType }
        if let fragmentSize { share.fragmentLength = fragmentSize }
        return share
    }

    /// The longest `outage_tolerance` taken: a day.
    public static let maximumOutageTolerance = 86_400
    /// The longest `request_timeout` taken: an hour.
    public static let maximumRequestTimeout = 3600

    public init() {}

    /// Reads `path`; a file that is not there is an empty configuration.
    /// - Throws: ``ConfigError`` naming the file, the line and the key that is wrong.
    public static func load(path: String) throws(ConfigError) -> AttacheConfig {
        let data: Data
        do throws(RegularFile.Problem) {
            // Never a FIFO (which would wait for a writer) or a directory.
            data = try RegularFile.read(path, limit: 1 << 20)
        } catch .notFound {
            return AttacheConfig()
        } catch .unreadable where !FileManager.default.fileExists(atPath: path) {
            // A folder on the way that cannot be searched (another user's home): as good
            // as no file, as ever. A file that is there and cannot be read is said below.
            return AttacheConfig()
        } catch {
            throw ConfigError(path: path, line: nil, key: nil, problem: error.description)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, line: nil, key: nil, problem: "is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Reads the text of a configuration file.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> AttacheConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(path: path, line: error.source.begin.line, key: nil, problem: "is not valid TOML: \(error.description)")
        } catch {
            throw ConfigError(path: path, line: nil, key: nil, problem: "is not valid TOML: \(error)")
        }
        let lines = TOMLKeyLines(text)
        func fail(_ key: String, _ problem: String) -> ConfigError {
            ConfigError(path: path, line: lines.line(of: key), key: key, problem: problem)
        }
        var config = AttacheConfig()
        config.path = path
        for key in table.keys {
            switch key {
            case "account":
                guard let value = table[key]?.string, !value.isEmpty else { throw fail(key, "must be the name of an [accounts.NAME] table") }
                config.account = value
            case "defaults":
                guard let defaults = table[key]?.table else { throw fail(key, "must be a table: [defaults]") }
                for inner in defaults.keys {
                    let dotted = "defaults.\(inner)"
                    switch inner {
                    case "chunk_size":
                        guard let value = defaults[inner]?.int else { throw fail(dotted, "must be a whole number of bytes") }
                        do {
                            try UploadPlan.validate(rangeLength: Int64(value))
                        } catch {
                            throw fail(dotted, "\(error)")
                        }
                        config.chunkSize = Int64(value)
                    case "parallel":
                        guard let value = defaults[inner]?.int, (1...8).contains(value) else { throw fail(dotted, "must be a whole number from 1 to 8") }
                        config.parallel = value
                    case "upload_budget":
                        guard let value = defaults[inner]?.string else { throw fail(dotted, "must be a string such as \"150MB/5m\"") }
                        do {
                            config.uploadBudget = try UploadBudget(parsing: value)
                        } catch {
                            throw fail(dotted, "\(error)")
                        }
                    case "request_timeout":
                        guard let value = defaults[inner]?.int, (1...maximumRequestTimeout).contains(value) else {
                            throw fail(dotted, "must be a whole number of seconds from 1 to \(maximumRequestTimeout)")
                        }
                        config.requestTimeout = .seconds(value)
                    case "outage_tolerance":
                        guard let value = defaults[inner]?.int, (0...maximumOutageTolerance).contains(value) else {
                            throw fail(dotted, "must be a whole number of seconds from 0 to \(maximumOutageTolerance)")
                        }
                        config.outageTolerance = .seconds(value)
                    case "theme":
                        guard let value = defaults[inner]?.string, !value.isEmpty else { throw fail(dotted, "must be a theme's name or a path to a .theme file") }
                        config.theme = value
                    default:
                        throw fail(dotted, "is not a setting attache knows (chunk_size, outage_tolerance, parallel, request_timeout, theme, upload_budget)")
                    }
                }
            case "links":
                guard let links = table[key]?.table else { throw fail(key, "must be a table: [links]") }
                for inner in links.keys {
                    let dotted = "links.\(inner)"
                    switch inner {
                    case "fallback":
                        guard let value = links[inner]?.bool else { throw fail(dotted, "must be true or false") }
                        config.linkFallback = value
                    case "folder":
                        guard let value = links[inner]?.string else { throw fail(dotted, "must be a folder of your OneDrive, such as \"Attachments/attache\"") }
                        do {
                            try DriveShare.validate(folder: value)
                        } catch {
                            throw fail(dotted, "\(error)")
                        }
                        config.linkFolder = value
                    case "scope":
                        guard let value = links[inner]?.string.flatMap(DriveShare.LinkScope.init(rawValue:)) else {
                            throw fail(dotted, "must be organization, users or anonymous")
                        }
                        config.linkScope = value
                    case "type":
                        guard let value = links[inner]?.string.flatMap(DriveShare.LinkType.init(rawValue:)) else { throw fail(dotted, "must be view or edit") }
                        config.linkType = value
                    case "fragment_size":
                        guard let value = links[inner]?.int else { throw fail(dotted, "must be a whole number of bytes") }
                        do {
                            try UploadPlan.validate(fragmentLength: Int64(value))
                        } catch {
                            throw fail(dotted, "\(error)")
                        }
                        config.fragmentSize = Int64(value)
                    default:
                        throw fail(dotted, "is not a setting attache knows (fallback, folder, fragment_size, scope, type)")
                    }
                }
            case "accounts":
                guard let accounts = table[key]?.table else { throw fail(key, "must hold tables: [accounts.NAME]") }
                for name in accounts.keys {
                    guard let settings = accounts[name]?.table else { throw fail("accounts.\(name)", "must be a table: [accounts.\(name)]") }
                    config.accounts[name] = try account(name, settings, fail: fail)
                }
            case "token", "access_token", "refresh_token", "client_secret", "password":
                throw fail(key, "secrets are never kept in the config: sign in with `attache login`, or pass --token-file")
            default:
                throw fail(key, "is not a setting attache knows (account, [defaults], [links], [accounts.NAME])")
            }
        }
        if let account = config.account, config.accounts[account] == nil {
            throw fail("account", "names \"\(account)\", but there is no [accounts.\(account)] table")
        }
        return config
    }

    private static func account(_ name: String, _ table: TOMLTable, fail: (String, String) -> ConfigError) throws(ConfigError) -> AccountSettings {
        var settings = AccountSettings(name: name)
        for key in table.keys {
            let dotted = "accounts.\(name).\(key)"
            guard let value = table[key]?.string, !value.isEmpty else { throw fail(dotted, "must be a string") }
            switch key {
            case "graph", "authority":
                guard (try? HTTPURL(validating: value)) != nil else { throw fail(dotted, "must be an https:// URL") }
                if key == "graph" { settings.graph = value } else { settings.authority = value }
            case "tenant": settings.tenant = value
            case "client_id": settings.clientID = value
            case "mailbox":
                guard value.contains("@") else { throw fail(dotted, "must be a mailbox's address (user@domain)") }
                settings.mailbox = value
            case "token", "access_token", "refresh_token", "client_secret", "password":
                throw fail(dotted, "secrets are never kept in the config: sign in with `attache login --account \(name)`")
            default:
                throw fail(dotted, "is not a setting attache knows (graph, authority, tenant, client_id, mailbox)")
            }
        }
        return settings
    }
}

/// The configuration file is wrong: which file, which line, which key, and why.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var key: String?
    public var problem: String

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key) " }
        return text + problem
    }
}

/// Where each key of a TOML text is written, for messages: `[table]` headers and
/// `key = value` lines, dotted as `table.key`.
struct TOMLKeyLines {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
                table = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                if lines[table] == nil { lines[table] = index + 1 }
                continue
            }
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let dotted = table.isEmpty ? key : "\(table).\(key)"
            if lines[dotted] == nil { lines[dotted] = index + 1 }
        }
    }

    /// The line a key is first written on, 1-based.
    func line(of key: String) -> Int? { lines[key] }
}
