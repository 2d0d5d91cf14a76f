import ArgumentParser
import Foundation
import AttacheCore
import AttacheTUI

/// `attache`: attach files of any size up to 150 MiB to Outlook messages and events.
@main
struct Attache: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attache",
        abstract: "Attach files up to 150 MiB to Outlook messages and events through Microsoft Graph.",
        usage: "attache [<subcommand>] [<options>]",
        discussion: """
            With no subcommand, attache opens its terminal UI. A file whose request fits \
            Graph's 4 MiB (about 3 MB of file, base64 and name counted) goes in one request; a \
            larger one through an upload session, in ranged PUTs that resume after a failure. With no --graph, attache starts its embedded Graph emulator with a demo \
            mailbox, so everything works without an account.

            \(ExitCodes.helpText)
            """,
        version: versionText,
        subcommands: [
            ScreenCommand.self, ListCommand.self, ShowCommand.self, UploadCommand.self, GetCommand.self, RemoveCommand.self, SendCommand.self,
            MailCommand.self, ReplyCommand.self, ForwardCommand.self,
            StatusCommand.self, ResumeCommand.self, CancelCommand.self, LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, ConfigCommand.self, ServeCommand.self,
        ],
        defaultSubcommand: ScreenCommand.self
    )

    /// `--version`: the version and the commit the binary was built from.
    static let versionText = "attache \(AttacheVersion.current) (commit \(BuildInfo.commit))"

    /// Parses with global options allowed before the subcommand (see ``LeadingOptions``).
    static func main() async {
        // A reader that goes away (`| head`) must not kill an upload half-way: writes then
        // fail with EPIPE, which Console handles.
        signal(SIGPIPE, SIG_IGN)
        // Each argument as its bytes: a file name that is not UTF-8 still names its file
        // (CommandLine.arguments would repair it into one that names none; see PlatformPath).
        let arguments = (1..<Int(CommandLine.argc)).map { index in
            CommandLine.unsafeArgv[index].map { PlatformPath.decode(UnsafeBufferPointer(start: $0, count: strlen($0)).map { UInt8(bitPattern: $0) }) } ?? ""
        }
        // Beside the parser's own --generate-completion-script, for `make install`.
        if arguments == [ManualPage.flag] {
            Console.write(Data(ManualPage.render(Attache.self).utf8), to: STDOUT_FILENO)
            return
        }
        let names = Set(configuration.subcommands.compactMap { $0.configuration.commandName })
        let reordered = LeadingOptions.reordered(arguments, subcommands: names)
        // Words the parser would take for something else (`-photo.jpg` for -p -h -o …, and
        // so the help): refused, rather than a silent success.
        if let problem = MisreadArguments.problem(in: reordered, subcommands: names) {
            Console.error(problem)
            Foundation.exit(ExitCodes.usage)
        }
        await main(reordered)
    }
}
