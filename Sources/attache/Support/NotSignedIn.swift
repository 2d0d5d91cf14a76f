import AttacheCore

/// The credentials of a Graph root no account is signed in to and no token was given for:
/// every request fails at once, saying so, which the screen shows as its sign-in dialog.
struct NotSignedIn: AccessTokenProvider, CustomStringConvertible {
    var graph: String

    struct Failure: Error, CustomStringConvertible {
        var graph: String
        var description: String { "no account is signed in to \(graph.terminalSafe), and no token was given for it" }
    }

    func accessToken() async throws -> String { throw Failure(graph: graph) }

    var description: String { "NotSignedIn(\(graph))" }
}
