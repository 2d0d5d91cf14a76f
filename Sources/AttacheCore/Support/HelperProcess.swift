import Foundation

/// A helper program attache runs and waits for (`secret-tool`), given a deadline: a helper
/// that never returns (a keyring waiting to be unlocked, with no prompt anyone can see)
/// must not hang the command that asked it.
///
/// The helper runs in a process group of its own, so that on the deadline it is killed
/// with whatever it started (a shell script's `sleep`), and nothing of it keeps attache's
/// pipes open. Its input, output and errors are pipes served by one `poll` loop on the
/// calling thread, so neither side can block the other.
public enum HelperProcess {
    /// How the helper ended, and what it said.
    public struct Result: Sendable, Hashable {
        /// The exit status; meaningless when ``signal`` is set.
        public var status: Int32
        /// The signal that killed it, if one did.
        public var signal: Int32?
        public var output: Data
        /// Its standard error, trimmed and escaped for the terminal.
        public var errorText: String

        /// How it failed, as a phrase: `exited 2: Cannot autolaunch D-Bus`, `was killed by signal 9`.
        public var failure: String {
            let said = errorText.isEmpty ? "" : ": " + (errorText.count > 160 ? String(errorText.prefix(160)) + "…" : errorText)
            if let signal { return "was killed by signal \(signal)" + said }
            return "exited \(status)" + said
        }
    }

    /// Why no result came.
    public enum Failure: Error, Hashable, Sendable {
        /// It could not be started: `strerror`'s words.
        case cannotStart(String)
        /// It had not ended by the deadline, and was killed.
        case timedOut
    }

    /// Runs `executable` with `arguments` and `environment`, feeds it `input`, and waits for
    /// it to end, at most `timeout`.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], input: Data? = nil, timeout: Duration
    ) throws(Failure) -> Result {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        var errorsFromChild: [Int32] = [-1, -1]
        guard makePipe(&toChild) else { throw .cannotStart(String(cString: strerror(errno))) }
        guard makePipe(&fromChild) else {
            closeAll(toChild)
            throw .cannotStart(String(cString: strerror(errno)))
        }
        guard makePipe(&errorsFromChild) else {
            closeAll(toChild + fromChild)
            throw .cannotStart(String(cString: strerror(errno)))
        }
        let pid: pid_t
        do throws(Failure) {
            pid = try spawn(executable, arguments, environment: environment, stdin: toChild[0], stdout: fromChild[1], stderr: errorsFromChild[1])
        } catch {
            closeAll(toChild + fromChild + errorsFromChild)
            throw error
        }
        // The child's ends are the child's now.
        closeAll([toChild[0], fromChild[1], errorsFromChild[1]])
        var exchange = Exchange(input: input ?? Data(), stdin: toChild[1], stdout: fromChild[0], stderr: errorsFromChild[0])
        defer { exchange.closeAll() }
        let deadline = ContinuousClock.now + timeout
        var waitStatus: Int32 = 0
        var exited = false
        var exitedAt = ContinuousClock.now
        while true {
            if !exited, waitpid(pid, &waitStatus, WNOHANG) == pid {
                exited = true
                exitedAt = .now
            }
            // Done when it has ended and said all it had to say; what it started may hold
            // the pipes on after it, so that gets a moment only.
            if exited, exchange.outputsClosed || ContinuousClock.now - exitedAt > .seconds(1) { break }
            let now = ContinuousClock.now
            if !exited, now >= deadline {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                while waitpid(pid, &waitStatus, 0) < 0, errno == EINTR {}
                throw .timedOut
            }
            exchange.pump(waitingAtMost: exited ? .milliseconds(20) : min(.milliseconds(20), deadline - now))
        }
        let signalled = waitStatus & 0x7f != 0
        return Result(
            status: signalled ? -1 : (waitStatus >> 8) & 0xff,
            signal: signalled ? waitStatus & 0x7f : nil,
            output: exchange.output,
            errorText: String(decoding: exchange.errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).terminalSafe)
    }

    /// `posix_spawn` in a new process group, the three pipes as its standard streams, and
    /// SIGPIPE back to its default (attache ignores it, and an ignored signal stays so).
    private static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: Int32, stdout: Int32, stderr: Int32
    ) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                posix_spawn(&pid, executable, &actions, &attributes, argvBuffer.baseAddress!, envpBuffer.baseAddress!)
            }
        }
        guard code == 0 else { throw .cannotStart(String(cString: strerror(code))) }
        return pid
    }

    /// A pipe whose ends close on exec: only the copies made for the helper's standard
    /// streams reach it, so its end of a pipe is the only one left once it is gone. (Glibc's
    /// `pipe2` is not visible from Swift here; a child another thread starts in between may
    /// inherit an end, which only delays that end's close.)
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func closeAll(_ descriptors: [Int32]) {
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
    }

    /// The parent's ends of the three pipes, served by `poll`.
    private struct Exchange {
        var input: Data
        var written = 0
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
        var output = Data()
        var errors = Data()

        init(input: Data, stdin: Int32, stdout: Int32, stderr: Int32) {
            self.input = input
            self.stdin = stdin
            self.stdout = stdout
            self.stderr = stderr
            for descriptor in [stdin, stdout, stderr] {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            }
            if input.isEmpty { closeInput() }
        }

        var outputsClosed: Bool { stdout < 0 && stderr < 0 }

        mutating func closeInput() {
            if stdin >= 0 { close(stdin) }
            stdin = -1
        }

        mutating func closeAll() {
            closeInput()
            for descriptor in [stdout, stderr] where descriptor >= 0 { close(descriptor) }
            stdout = -1
            stderr = -1
        }

        /// Writes what it can, reads what there is; waits at most `limit` for either.
        mutating func pump(waitingAtMost limit: Duration) {
            var descriptors = [
                pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: stdout, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stderr, events: Int16(POLLIN), revents: 0),
            ]
            // A negative descriptor is skipped by poll.
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(max(0, min(limit.milliseconds, 1000))))
            guard ready > 0 else { return }
            if descriptors[0].revents != 0 { writeInput() }
            if descriptors[1].revents != 0 { Self.drain(&stdout, into: &output) }
            if descriptors[2].revents != 0 { Self.drain(&stderr, into: &errors) }
        }

        private mutating func writeInput() {
            let count = input.withUnsafeBytes { bytes in
                Foundation.write(stdin, bytes.baseAddress! + written, bytes.count - written)
            }
            if count > 0 {
                written += count
                if written >= input.count { closeInput() }
            } else if count < 0, errno != EAGAIN, errno != EINTR {
                // It closed its input (or died): what it did not take, it did not want.
                closeInput()
            }
        }

        /// Reads what is there; closes the descriptor at its end. Output is bounded, as
        /// anything a helper says here is a few kilobytes at most.
        private static func drain(_ descriptor: inout Int32, into data: inout Data) {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while descriptor >= 0 {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    if data.count < 4 << 20 { data.append(contentsOf: buffer[..<count]) }
                    continue
                }
                if count < 0, errno == EAGAIN || errno == EINTR { return }
                close(descriptor)
                descriptor = -1
            }
        }
    }
}
