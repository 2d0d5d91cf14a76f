import AsyncHTTPClient
import Crypto
import Foundation
import GraphEmulator
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

@testable import AttacheCore

/// Runs the real `attache` binary as a subprocess against an emulator on loopback.
struct CLIHarness {
    let emulator: RunningEmulator
    let stateDirectory: String
    let workDirectory: String
    /// The Graph root the binary is pointed at: the emulator's, or a proxy's in front of it.
    var graphBase: String

    static let token = EmulatorConfiguration.developerToken

    /// The built executable: `$ATTACHE_BIN`, else beside the test bundle.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["ATTACHE_BIN"] { return path }
        var candidates = [Bundle.main.bundleURL.appendingPathComponent("attache").path]
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            candidates.append(url.appendingPathComponent(".build/debug/attache").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration()) async throws -> CLIHarness {
        var logger = Logger(label: "test.emulator")
        logger.logLevel = .critical
        let emulator = try await GraphEmulator.start(configuration, logger: logger)
        let base = NSTemporaryDirectory() + "attache-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base + "/state", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/files", withIntermediateDirectories: true)
        return CLIHarness(emulator: emulator, stateDirectory: base + "/state", workDirectory: base + "/files", graphBase: emulator.graphBaseURL)
    }

    /// Emulators running at once in this test process. With every test running at once,
    /// each with an emulator (three listeners, a SQLite pool), a hundred together kept over
    /// 1,300 descriptors open, and past that count Foundation's `Process.run()`, which lists
    /// `/proc/self/fd` before each launch, reads beyond its buffer and crashes. The gate
    /// that holds attache's requests to a mailbox serves here as a plain counting limit.
    static let emulators = RequestGate(limit: 24)

    static func with<T>(_ configuration: EmulatorConfiguration = EmulatorConfiguration(), _ body: (CLIHarness) async throws -> T) async throws -> T {
        try await emulators.acquire()
        let harness: CLIHarness
        do {
            harness = try await start(configuration)
        } catch {
            await emulators.release()
            throw error
        }
        defer { try? FileManager.default.removeItem(atPath: (harness.workDirectory as NSString).deletingLastPathComponent) }
        do {
            let result = try await body(harness)
            await harness.emulator.stop()
            await emulators.release()
            return result
        } catch {
            await harness.emulator.stop()
            await emulators.release()
            throw error
        }
    }

    /// `--graph … --token … --state-dir …`: the options every run against this emulator takes.
    var connection: [String] {
        ["--graph", graphBase, "--token", Self.token, "--state-dir", stateDirectory]
    }

    // MARK: Running the binary

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Stdout as it came, for bytes that are not text (`get --raw`).
        var stdoutData = Data()

        var jsonLines: [[String: Any]] {
            stdout.split(separator: "\n").compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }
        }
    }

    /// Runs `attache ARGS` (with the connection options added after the subcommand).
    func attache(_ subcommand: String, _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> Result {
        try await Self.run([subcommand] + connection + arguments, environment: environment)
    }

    /// Runs the binary (after `prefix`, a wrapper such as `unshare`), or with `bare`, only
    /// `prefix` and `arguments` (a helper command).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], prefix: [String] = [], bare: Bool = false, directory: String? = nil
    ) async throws -> Result {
        let process = try launch(arguments, environment: environment, prefix: prefix, bare: bare, directory: directory)
        return try await process.finish()
    }

    /// A running `attache` whose output is collected as it comes.
    final class Running: @unchecked Sendable {
        // The reading threads and the readers of the buffers touch them under `lock` only.
        let process: Process
        private let lock = NSLock()
        private var out = Data()
        private var err = Data()
        /// Pipes not yet at their end.
        private var open = 0

        init(process: Process, stdout: Pipe?, stderr: Pipe?) {
            self.process = process
            // Each pipe is read to its end by a thread of its own, with blocking reads: a
            // dispatch read source (readabilityHandler) whose descriptor closes under it
            // crashed libdispatch's event loop now and then.
            for (pipe, isOut) in [(stdout, true), (stderr, false)] {
                guard let pipe else { continue }
                open += 1
                let handle = pipe.fileHandleForReading
                Thread { [self] in
                    while true {
                        let data = handle.availableData
                        guard !data.isEmpty else { break }
                        lock.withLock { if isOut { out.append(data) } else { err.append(data) } }
                    }
                    // Closed at its end, not when the Process goes: hundreds of tests would
                    // otherwise keep hundreds of pipes open, and Foundation's `run()` walks
                    // every open descriptor of the process each time it starts a child.
                    try? handle.close()
                    lock.withLock { open -= 1 }
                }.start()
            }
        }

        var stdoutSoFar: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
        var stderrSoFar: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

        /// Waits until stderr says something `condition` likes, or the process ends.
        func waitForStderr(timeout: Duration = .seconds(60), _ condition: (String) -> Bool) async throws -> Bool {
            await Eventually.until(timeout: timeout, every: .milliseconds(20)) { condition(stderrSoFar) || !process.isRunning }
            return condition(stderrSoFar)
        }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// ``finish()``, for a run that must end by itself: one still running after `limit`
        /// (far more than it needs) is killed, and that is a failure of the test, not a hang of it.
        func finish(within limit: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
            await Eventually.until(timeout: limit, every: .milliseconds(20)) { !process.isRunning }
            if process.isRunning {
                Issue.record("attache was still running after \(limit): \(stderrSoFar)", sourceLocation: sourceLocation)
                signal(SIGKILL)
            }
            return try await finish()
        }

        func finish() async throws -> Result {
            await Eventually.until(timeout: .seconds(3600), every: .milliseconds(20)) { !process.isRunning }
            // Every byte written is read: wait for both pipes to reach their end.
            await Eventually.until(timeout: .seconds(30)) { lock.withLock { open == 0 } }
            return lock.withLock {
                Result(
                    status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                    stdoutData: out)
            }
        }
    }

    /// One `Process.run()` at a time: Foundation's crashed once (a bad read in memcpy inside
    /// `run()`) with dozens of tests starting processes at once.
    static let launching = NSLock()

    /// Starts the binary. With `stdoutReaderGone` or `stderrReaderGone`, that stream is a
    /// pipe whose reading end is already closed, so every write to it fails with EPIPE.
    static func launch(
        _ arguments: [String], environment: [String: String] = [:], prefix: [String] = [], bare: Bool = false,
        stdoutReaderGone: Bool = false, stderrReaderGone: Bool = false, directory: String? = nil
    ) throws -> Running {
        let process = Process()
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if prefix.isEmpty {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + (bare ? [] : [binary]) + arguments
        }
        var env = ProcessInfo.processInfo.environment
        env["ATTACHE_TOKEN"] = nil
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        if stdoutReaderGone { try stdout.fileHandleForReading.close() }
        if stderrReaderGone { try stderr.fileHandleForReading.close() }
        let running = Running(process: process, stdout: stdoutReaderGone ? nil : stdout, stderr: stderrReaderGone ? nil : stderr)
        try launching.withLock {
            try process.run()
            // The child has its copies of the write ends; with ours closed, a pipe ends when
            // the child is done with it. Under the same lock, so no other child inherits them.
            try? stdout.fileHandleForWriting.close()
            try? stderr.fileHandleForWriting.close()
        }
        return running
    }

    func launch(_ subcommand: String, _ arguments: [String]) throws -> Running {
        try Self.launch([subcommand] + connection + arguments)
    }

    /// Starts `attache upload --json` in ranges of 320 KiB and returns once the server holds
    /// at least `bytes` of it.
    func launchUpload(_ file: String, to item: String, until bytes: Int, extra: [String] = []) async throws -> Running {
        let running = try launch("upload", [file, "--message", item, "--chunk-size", "327680", "--json"] + extra)
        var reached = false
        try await Eventually.until {
            reached = try await openSessions().first?["received"] as? Int ?? 0 >= bytes
            return reached || !running.process.isRunning
        }
        if reached { return running }
        Issue.record("the upload never got to \(bytes) bytes: \(running.stderrSoFar)")
        return running
    }

    // MARK: Files

    /// Writes `size` bytes of a fixed pseudo-random pattern and returns the path and SHA-256.
    func makeFile(_ name: String, size: Int, seed: UInt64 = 1) throws -> (path: String, sha256: String) {
        let path = workDirectory + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        var hasher = SHA256()
        var state = seed | 1
        var remaining = size
        while remaining > 0 {
            let count = min(remaining, 1 << 20)
            var chunk = [UInt8](repeating: 0, count: count)
            chunk.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for index in words.indices {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    words[index] = state
                }
                for index in (words.count * 8)..<count {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    raw[index] = UInt8(truncatingIfNeeded: state)
                }
            }
            hasher.update(data: chunk)
            try handle.write(contentsOf: chunk)
            remaining -= count
        }
        try handle.close()
        return (path, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    // MARK: Asking the emulator directly

    func http(_ method: HTTPMethod, _ url: String) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url.hasPrefix("http") ? url : emulator.graphBaseURL + url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return (Int(response.status.code), Data(buffer: body))
    }

    /// `POST` a JSON object straight to the emulator, as the demo user; returns the reply's object.
    func postJSON(_ path: String, _ object: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: emulator.graphBaseURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: object)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    func json(_ path: String) async throws -> [String: Any] {
        let reply = try await http(.GET, path)
        return (try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:]
    }

    func firstItem(_ collection: String) async throws -> String {
        let value = try #require(try await json("/me/\(collection)?$select=id&$top=1")["value"] as? [[String: Any]])
        return try #require(value.first?["id"] as? String)
    }

    func attachments(_ collection: String, _ item: String) async throws -> [[String: Any]] {
        try #require(try await json("/me/\(collection)/\(item)/attachments?$select=id,name,size,contentType")["value"] as? [[String: Any]])
    }

    /// The SHA-256 and length of `$value`, streamed.
    func valueDigest(_ collection: String, _ item: String, _ attachment: String, mailbox: String = "me") async throws -> (sha256: String, bytes: Int, status: Int) {
        var request = HTTPClientRequest(url: emulator.graphBaseURL + "/\(mailbox)/\(collection)/\(item)/attachments/\(attachment)/$value")
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        var hasher = SHA256()
        var count = 0
        for try await chunk in response.body {
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            count += chunk.readableBytes
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), count, Int(response.status.code))
    }

    /// The counters (`faults` is left out: see ``faults()``).
    func stats() async throws -> [String: Int] {
        try await json(emulator.origin + "/_emulator/stats").compactMapValues { $0 as? Int }
    }

    /// Faults the emulator injected, by kind.
    func faults() async throws -> [String: Int] {
        (try await json(emulator.origin + "/_emulator/stats")["faults"] as? [String: Int]) ?? [:]
    }

    func openSessions() async throws -> [[String: Any]] {
        (try await json(emulator.origin + "/_emulator/sessions")["value"] as? [[String: Any]]) ?? []
    }
}
