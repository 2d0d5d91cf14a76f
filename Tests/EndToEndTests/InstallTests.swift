import Foundation
import Testing

/// `make install` into a temporary DESTDIR with PREFIX=/usr, then the installed attache run
/// as a user would, from a folder outside the checkout with a home of its own: its help and
/// version, `ls messages` on the embedded emulator, themes by name, its man page and its
/// bash completions; then `make uninstall`.
///
/// It installs with BUILD=debug, the binary `swift build` made for the other tests: the
/// Makefile's release path differs only in building that binary first, and a release build
/// would add minutes to every CI run for no other check.
@Suite("make install", .serialized)
struct InstallTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// What `make install PREFIX=/usr` puts under DESTDIR, and nothing more.
    static let installed = [
        "usr/bin/attache",
        "usr/share/attache/themes/default.theme",
        "usr/share/attache/themes/high-contrast.theme",
        "usr/share/attache/themes/light.theme",
        "usr/share/attache/themes/monochrome.theme",
        "usr/share/bash-completion/completions/attache",
        "usr/share/fish/vendor_completions.d/attache.fish",
        "usr/share/man/man1/attache.1",
        "usr/share/zsh/site-functions/_attache",
    ]

    struct Folders {
        let root: String
        var destdir: String { root + "/dest" }
        var home: String { root + "/home" }
        var elsewhere: String { root + "/elsewhere" }
        var binary: String { destdir + "/usr/bin/attache" }
        var themes: String { destdir + "/usr/share/attache/themes" }

        /// The environment of someone who never ran attache: a fresh home, no XDG folders
        /// set (so attache's defaults apply, under that home), no token.
        var environment: [String: String] {
            var environment = ProcessInfo.processInfo.environment
            for key in ["ATTACHE_TOKEN", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_DATA_DIRS", "NO_COLOR", "COLUMNS"] {
                environment[key] = nil
            }
            environment["HOME"] = home
            environment["LANG"] = "C.UTF-8"
            environment["LC_ALL"] = "C.UTF-8"
            return environment
        }
    }

    @Test func installRunAndUninstall() async throws {
        let folders = Folders(root: NSTemporaryDirectory() + "attache-install-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        for folder in [folders.home, folders.elsewhere] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let make = ["-C", Self.checkout, "DESTDIR=\(folders.destdir)", "PREFIX=/usr", "BUILD=debug"]

        let started = ContinuousClock.now
        let install = try await FileOutput.run("/usr/bin/make", make + ["install"], in: folders.elsewhere)
        try #require(install.status == 0, "make install failed:\n\(install.stdout)\n\(install.stderr)")
        print("make install BUILD=debug took \(ContinuousClock.now - started)")
        #expect(try Self.files(under: folders.destdir) == Self.installed)
        let mode = try FileManager.default.attributesOfItem(atPath: folders.binary)[.posixPermissions] as? Int
        #expect(mode == 0o755)

        try await checkHelpAndVersion(folders)
        try await checkTheEmbeddedEmulator(folders)
        try await checkThemes(folders)
        try await checkTheManPage(folders)
        try await checkTheCompletions(folders)

        // Uninstall takes what install put there, and leaves a theme of someone's own.
        let uninstall = try await FileOutput.run("/usr/bin/make", make + ["uninstall"], in: folders.elsewhere)
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        #expect(try Self.files(under: folders.destdir) == ["usr/share/attache/themes/mine.theme"])
        try FileManager.default.removeItem(atPath: folders.themes + "/mine.theme")
        let again = try await FileOutput.run("/usr/bin/make", make + ["uninstall"], in: folders.elsewhere)
        #expect(again.status == 0, "a second uninstall finds nothing to do: \(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folders.destdir + "/usr/share/attache"))
    }

    func checkHelpAndVersion(_ folders: Folders) async throws {
        let help = try await FileOutput.run(folders.binary, ["--help"], in: folders.elsewhere, environment: folders.environment)
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: attache [<subcommand>] [<options>]"))
        #expect(help.stdout.contains("upload                  Attach files to a message or an event."))

        // The version and the commit the binary was built from: one of this checkout's.
        let version = try await FileOutput.run(folders.binary, ["--version"], in: folders.elsewhere, environment: folders.environment)
        let match = try #require(version.stdout.firstMatch(of: /^attache (\d+\.\d+\.\d+) \(commit ([0-9a-f]{7,})(-dirty)?\)\n$/), "\(version.stdout)")
        let commit = String(match.2)
        let known = try await FileOutput.run("/usr/bin/git", ["-C", Self.checkout, "cat-file", "-e", commit + "^{commit}"], in: folders.elsewhere)
        #expect(known.status == 0, "--version names \(commit), which is no commit of \(Self.checkout)")
    }

    func checkTheEmbeddedEmulator(_ folders: Folders) async throws {
        let list = try await FileOutput.run(folders.binary, ["ls", "messages"], in: folders.elsewhere, environment: folders.environment)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("Quarterly report"))
        // State went where the README says, under the home, not beside the binary.
        for path in ["attache.log", "emulator"] {
            #expect(FileManager.default.fileExists(atPath: folders.home + "/.local/state/attache/" + path), "no \(path) in the state directory")
        }
    }

    /// Names of installed themes and of a file put beside them are found from the binary's
    /// own place; the screen, in tmux, draws with the one picked.
    func checkThemes(_ folders: Folders) async throws {
        // Title bars in magenta: no built-in theme uses it.
        try "normal = default default\ntitle = white magenta bold\n".write(toFile: folders.themes + "/mine.theme", atomically: true, encoding: .utf8)
        let unknown = try await FileOutput.run(folders.binary, ["--theme", "neon"], in: folders.elsewhere, environment: folders.environment)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no theme 'neon'; try one of default, high-contrast, light, mine, monochrome"), "\(unknown.stderr)")
        // Found, then refused only for want of a terminal.
        for name in ["light", "mine"] {
            let found = try await FileOutput.run(folders.binary, ["--theme", name], in: folders.elsewhere, environment: folders.environment)
            #expect(found.stderr.contains("needs a terminal"), "--theme \(name): \(found.stderr)")
        }

        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        var environment = ["HOME": folders.home]
        for key in ["XDG_STATE_HOME", "XDG_CONFIG_HOME", "ATTACHE_TOKEN", "NO_COLOR"] { environment[key] = "" }
        let tmux = try TmuxSession.start("'\(folders.binary)' --theme mine", width: 100, height: 30, directory: folders.elsewhere, environment: environment)
        defer { tmux.kill() }
        try await tmux.waitFor("the screen with the installed theme") { $0.contains { $0.contains("Quarterly report") } }
        let raw = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        #expect(raw.contains(/\x{1B}\[(?:[0-9;]*;)?45(?:;[0-9;]*)?m/), "no magenta title: \(raw.prefix(300).debugDescription)")
        try tmux.send("q")
        try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
    }

    func checkTheManPage(_ folders: Folders) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/man"), "man is needed: make setup installs man-db")
        let page = folders.destdir + "/usr/share/man/man1/attache.1"
        var environment = folders.environment
        environment["MANWIDTH"] = "80"
        environment["MANPAGER"] = "cat"
        environment["PAGER"] = "cat"
        // Where man looks for section 1 under that prefix.
        let found = try await FileOutput.run("/usr/bin/man", ["-M", folders.destdir + "/usr/share/man", "-w", "attache"], in: folders.elsewhere, environment: environment)
        #expect(found.stdout == page + "\n", "\(found.stderr)")

        let rendered = try await FileOutput.run("/usr/bin/man", ["--warnings", "-l", page], in: folders.elsewhere, environment: environment)
        #expect(rendered.status == 0)
        #expect(rendered.stderr.isEmpty, "groff warns: \(rendered.stderr)")
        let text = rendered.stdout
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "ENVIRONMENT", "FILES", "EXIT STATUS", "SEE ALSO"] {
            #expect(text.contains("\n\(heading)\n"), "no \(heading) section")
        }
        #expect(text.contains(/\n +attache \S Attach files up to 150 MiB/), "\(text.prefix(400))")
        for command in HelpSnapshotTests.commands { #expect(text.contains("attache \(command)\n"), "no section for \(command)") }
        // Options as typed, with plain hyphens, so they can be copied.
        for option in ["--chunk-size bytes", "--parallel n", "--graph url", "--new-draft subject", "-o, --output file"] {
            #expect(text.contains(option), "the man page lacks \(option)")
        }
        #expect(text.contains(/\n +130 +interrupted; unfinished uploads wait/), "exit codes")
        #expect(!text.contains("\u{2010}"), "a word hyphenated at a line's end")
        let long = text.split(separator: "\n").filter { $0.count > 80 }
        #expect(long.isEmpty, "lines over 80 columns: \(long)")
        // Every option --help shows is in the page too.
        for command in HelpSnapshotTests.commands {
            let help = try await FileOutput.run(folders.binary, [command, "--help"], in: folders.elsewhere, environment: folders.environment)
            for option in Set(help.stdout.matches(of: /--[a-z][a-z-]*/).map { String($0.output) }) {
                #expect(text.contains(option), "attache \(command) --help shows \(option), the man page does not")
            }
        }
    }

    func checkTheCompletions(_ folders: Folders) async throws {
        let loader = "/usr/share/bash-completion/bash_completion"
        try #require(FileManager.default.fileExists(atPath: loader), "bash-completion is needed: make setup installs it")
        // bash-completion finds the script by itself, as for any command installed under a
        // prefix in XDG_DATA_DIRS (/usr/local/share:/usr/share by default), then completes.
        let script = """
            . \(loader)
            __load_completion attache || { echo "not found" >&2; exit 1; }
            complete -p attache
            complete_line() {
                COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
                read -r -a COMP_WORDS <<< "$COMP_LINE"
                [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                COMPREPLY=()
                _attache attache "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                echo "$1=> ${COMPREPLY[*]}"
            }
            complete_line "attache up"
            complete_line "attache ls "
            complete_line "attache upload --par"
            """
        var environment = folders.environment
        environment["XDG_DATA_DIRS"] = folders.destdir + "/usr/share"
        environment["PATH"] = folders.destdir + "/usr/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        let bash = try await FileOutput.run("/bin/bash", ["--norc", "--noprofile", "-c", script], in: folders.elsewhere, environment: environment)
        #expect(bash.status == 0, "\(bash.stderr)")
        #expect(bash.stdout.contains("complete -o filenames -F _attache attache"), "\(bash.stdout)")
        #expect(bash.stdout.contains("attache up=> upload"), "\(bash.stdout)")
        #expect(bash.stdout.contains("attache ls => messages events"), "\(bash.stdout)")
        #expect(bash.stdout.contains("attache upload --par=> --parallel"), "\(bash.stdout)")

        // zsh and fish read theirs when present; neither is needed.
        for (shell, arguments, file) in [
            ("/usr/bin/zsh", ["-n"], "zsh/site-functions/_attache"), ("/usr/bin/fish", ["--no-execute"], "fish/vendor_completions.d/attache.fish"),
        ] where FileManager.default.isExecutableFile(atPath: shell) {
            let check = try await FileOutput.run(shell, arguments + [folders.destdir + "/usr/share/" + file], in: folders.elsewhere)
            #expect(check.status == 0, "\(shell): \(check.stderr)")
        }
    }

    /// Every file under `root`, relative to it, sorted.
    static func files(under root: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }
}
