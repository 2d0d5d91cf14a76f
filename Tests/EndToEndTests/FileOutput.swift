import Foundation

/// Runs a program with its output going to files, not pipes. With pipes read through
/// `CLIHarness`, help tests running side by side were seen to wait 30 s for the end of a
/// finished program's output (the test process itself still held the pipe's write end),
/// and once to lose its tail.
enum FileOutput {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` in `directory` with stdin from /dev/null; output goes through files,
    /// so nothing blocks on a full pipe.
    static func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String]? = nil) async throws -> Result {
        let outputs = NSTemporaryDirectory() + "attache-run-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outputs) }
        _ = FileManager.default.createFile(atPath: outputs + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: outputs + "/err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs + "/out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs + "/err"))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try? out.close()
        try? err.close()
        guard await Eventually.until(timeout: .seconds(300), every: .milliseconds(20), { !process.isRunning }) else {
            process.terminate()
            throw CancellationError()
        }
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outputs + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: outputs + "/err", encoding: .utf8)) ?? "")
    }
}
