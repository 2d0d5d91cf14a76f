import AttacheCore
import Foundation
import Logging

/// Opens a saved file with the desktop's handler, `xdg-open`, off the screen: its output
/// goes to the log, never over the terminal attache draws on.
enum Opener {
    struct NotFound: Error, CustomStringConvertible {
        var path: String
        var description: String { "xdg-open is not installed (apt-get install xdg-utils); the file is at \(path)" }
    }

    static func open(_ path: String, logger: Logger) throws {
        guard let program = ExecutableSearch.find("xdg-open") else { throw NotFound(path: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [path]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let reader = output.fileHandleForReading
        Task.detached {
            let said = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
            try? reader.close()
            process.waitUntilExit()
            logger.info("xdg-open ended", metadata: ["status": "\(process.terminationStatus)", "output": "\(said.prefix(500))"])
        }
    }
}
