import Foundation
import Testing

/// A detached tmux session on its own server socket, running a command in a pane of a
/// fixed size: keys go in with `send-keys`, the screen comes back as text with `capture-pane`.
struct TmuxSession {
    let socket: String
    let name = "attache"

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// Names this test run's servers, so scripts/run-tests can tell them from another run's.
    static let runName = ProcessInfo.processInfo.environment["ATTACHE_TEST_RUN"] ?? "\(getpid())"


    /// Starts `command` (a shell line) in `directory`; when it ends, the pane prints
    /// `attache-exited-STATUS`, runs `epilogue` (a shell line, on the same terminal) and
    /// stays, so tests can read how it ended.
    static func start(_ command: String, width: Int, height: Int, directory: String, environment: [String: String] = [:], epilogue: String = "") throws -> TmuxSession {
        let session = TmuxSession(socket: "attache-test-\(runName)-\(UUID().uuidString.prefix(8))")
        var arguments = ["new-session", "-d", "-s", session.name, "-x", "\(width)", "-y", "\(height)", "-c", directory]
        for (key, value) in environment.merging(["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"], uniquingKeysWith: { a, _ in a }) {
            arguments += ["-e", "\(key)=\(value)"]
        }
        arguments.append("\(command); echo attache-exited-$?; \(epilogue.isEmpty ? "" : epilogue + "; ")sleep 600")
        // This first call starts the tmux server, which would keep an output pipe open forever.
        try session.tmux(arguments, readOutput: false)
        return session
    }

    /// Runs the tmux client with posix_spawn and waitpid (Foundation's `Process` missed the
    /// exit of a client whose server it had just started); output goes through a file, which
    /// the long-lived server cannot hold open against us.
    @discardableResult
    func tmux(_ arguments: [String], readOutput: Bool = true) throws -> String {
        let outputPath = NSTemporaryDirectory() + "tmux-out-\(UUID().uuidString)"
        defer { unlink(outputPath) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, readOutput ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else goes across: the tmux server lives on, and an inherited socket of an
        // emulator in this process (NIO's are not close-on-exec) would keep a connection
        // open after the emulator closed it, so its client would wait on a dead link.
        Self.closeFrom(&actions, 3)
        let argv = ["/usr/bin/tmux", "-u", "-L", socket, "-f", "/dev/null"] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        // The test process blocks most signals on its threads and ignores some; a tmux server
        // that inherits that mask never dies on kill-server (its panes ignore SIGHUP), so it
        // starts with no signal blocked and every disposition at its default.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, &cArguments, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard readOutput else { return "" }
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's
    /// Glibc module does not declare; without it, every descriptor from `lowest` up that is
    /// open when this runs is closed by name instead.
    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor >= lowest {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// The screen, one line per row.
    func capture() throws -> [String] {
        var lines = try tmux(["capture-pane", "-p", "-t", name]).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `condition` holds; returns that screen, or records the last one.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation, _ condition: ([String]) -> Bool) async throws -> [String] {
        var screen: [String] = []
        if try await Eventually.until(timeout: timeout, every: .milliseconds(40), { screen = try capture(); return condition(screen) }) {
            return screen
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(screen.joined(separator: "\n"))", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Stops the server and everything in its panes.
    /// Stops the server and removes its socket, which tmux leaves behind in
    /// `$TMUX_TMPDIR/tmux-UID` (by default under /tmp, whatever `TMPDIR` says).
    func kill() {
        _ = try? tmux(["kill-server"])
        unlink(Self.socketPath(socket))
    }

    static func socketPath(_ socket: String) -> String {
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return "\(directory)/tmux-\(getuid())/\(socket)"
    }
}
