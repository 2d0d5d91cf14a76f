import Foundation

extension TUIApplication {
    /// Why no body came back from the editor.
    struct EditorProblem: Error, CustomStringConvertible {
        var description: String
    }

    /// The body of a message, written in `$VISUAL` or `$EDITOR` (else `vi`): the terminal is
    /// given back to the editor as Ctrl-Z gives it to the shell, and taken again after, the
    /// whole screen drawn anew. The text is in a file only this user can read, removed after.
    func editBody(initial: String = "") -> Result<String, EditorProblem> {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "vi"
        let folder: String
        do {
            folder = try TemporaryFolder.make(prefix: "attache-body-")
        } catch {
            return .failure(EditorProblem(description: "\(error)"))
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/message.txt"
        guard FileManager.default.createFile(atPath: path, contents: Data(initial.utf8), attributes: [.posixPermissions: 0o600]) else {
            return .failure(EditorProblem(description: "cannot write \(path)"))
        }
        backend.stop()
        defer {
            try? backend.start()
            backend.resized()
            redrawWhole()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor as the shell would run it (it may carry flags), the file as its argument.
        process.arguments = ["-c", editor + " \"$1\"", "sh", path]
        do {
            try process.run()
        } catch {
            return .failure(EditorProblem(description: "cannot start the editor \(editor): \(error)"))
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            return .failure(EditorProblem(description: "the editor \(editor) ended with status \(process.terminationStatus)"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(EditorProblem(description: "the editor left no file at \(path)"))
        }
        return .success(String(decoding: data, as: UTF8.self))
    }
}
