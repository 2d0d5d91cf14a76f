/// What the user can do next, as a value: an error carries it, and the front end showing the
/// error names it the way that front end is used, a command on the command line (`attache
/// resume`), a key in the screen (`r`).
///
/// The style is the task's (a task-local value): the screen words what it shows within
/// `Advice.$style.withValue(.screen)`, since an error's words are made where it is shown.
public enum Advice: Hashable, Sendable, CustomStringConvertible {
    /// Sign in (again).
    case signIn
    /// Sign in again in a browser rather than with a code.
    case signInWithBrowser
    /// Forget the stored tokens and sign in again.
    case signOutAndIn
    /// Continue the interrupted transfer.
    case resume
    /// Discard the interrupted transfer, deleting its session.
    case cancel
    /// See the finished transfers.
    case listTransfers
    /// Give a valid token, or sign in.
    case giveToken
    /// Check where Graph is.
    case checkGraphRoot
    /// Trust a proxy's or a private authority's certificate.
    case trustCertificate
    /// Share the file from OneDrive as a link instead (``DriveShare``).
    case shareAsLink

    /// How advice is worded.
    public enum Style: Hashable, Sendable {
        /// Commands and flags, as `attache --help` names them.
        case commandLine
        /// Keys of the terminal UI.
        case screen
    }

    /// The style of the front end showing what is being worded: the command line's, unless
    /// the screen says otherwise for what it words.
    @TaskLocal public static var style: Style = .commandLine

    /// The advice in the words of `style`.
    public func text(_ style: Style) -> String {
        switch (self, style) {
        case (.signIn, .commandLine): "run `attache login`"
        case (.signIn, .screen): "press L to sign in"
        case (.signInWithBrowser, .commandLine): "run `attache login --browser`"
        case (.signInWithBrowser, .screen): "press L and sign in in the browser"
        case (.signOutAndIn, .commandLine): "run `attache logout` then `attache login`"
        case (.signOutAndIn, .screen): "press L to sign in again"
        case (.resume, .commandLine): "`attache resume` continues it"
        case (.resume, .screen): "r on the transfer continues it (or the next start of attache)"
        case (.cancel, .commandLine): "`attache cancel` discards it"
        case (.cancel, .screen): "c on the transfer discards it"
        case (.listTransfers, .commandLine): "see `attache status --all`"
        case (.listTransfers, .screen): "see the transfers pane"
        case (.giveToken, .commandLine): "pass a valid one with --token or ATTACHE_TOKEN, or run `attache login`"
        case (.giveToken, .screen): "press L to sign in"
        case (.checkGraphRoot, .commandLine): "is the server running, and is --graph right?"
        case (.checkGraphRoot, .screen): "is the server running, and is the Graph root (--graph, or graph in the config) right?"
        case (.shareAsLink, .commandLine): "--link shares it from your OneDrive as a link in the item instead"
        case (.shareAsLink, .screen): "l on the transfer shares it from your OneDrive as a link instead"
        case (.trustCertificate, _): "if a proxy or a private authority signs it, pass its certificate with --ca-file (or SSL_CERT_FILE)"
        }
    }

    /// The advice in the words of the front end showing it.
    public var description: String { text(Self.style) }
}
