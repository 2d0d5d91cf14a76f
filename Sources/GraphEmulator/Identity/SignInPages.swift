import HTTPTypes
import Hummingbird
import NIOCore

/// The few HTML pages a person sees on the identity origin: the device login form, its
/// outcome, and the error page `authorize` shows when it cannot redirect. Everything that
/// came from a request is escaped.
enum SignInPages {
    static func deviceLogin(prefilledCode: String?, defaultUser: String) -> Response {
        page(
            title: "Enter code",
            body: """
                <h1>Enter code</h1>
                <p>Enter the code displayed on your app or device.</p>
                <form method="post" action="\(IdentityRoute.verificationPath)">
                <p><label>Code <input name="code" autocomplete="off" autofocus value="\(escape(prefilledCode ?? ""))"></label></p>
                <p><label>Sign in as <input name="user" value="\(escape(defaultUser))"></label></p>
                <p><button name="action" value="approve">Sign in</button> <button name="action" value="decline">Decline</button></p>
                </form>
                """)
    }

    static func deviceLoginDone(clientName: String, approved: Bool) -> Response {
        let text =
            approved
            ? "You have signed in to the \(escape(clientName)) application on your device. You may now close this window."
            : "You have declined to sign in to the \(escape(clientName)) application on your device. You may now close this window."
        return page(title: approved ? "Signed in" : "Declined", body: "<h1>\(approved ? "Signed in" : "Declined")</h1>\n<p>\(text)</p>")
    }

    static func codeDidNotWork() -> Response {
        page(
            title: "Enter code", status: .badRequest,
            body: """
                <h1>Enter code</h1>
                <p>That code didn't work. Check the code and try again.</p>
                <p><a href="\(IdentityRoute.verificationPath)">Try again</a></p>
                """)
    }

    /// "Sorry, but we're having trouble signing you in.", with the AADSTS error.
    static func error(_ error: IdentityError, traceID: String, correlationID: String) -> Response {
        page(
            title: "Sign in", status: error.status,
            body: """
                <h1>Sign in</h1>
                <p>Sorry, but we're having trouble signing you in.</p>
                <p>\(escape(error.description))</p>
                <p>Request Id: \(escape(traceID))<br>Correlation Id: \(escape(correlationID))</p>
                """)
    }

    private static func page(title: String, status: HTTPResponse.Status = .ok, body: String) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title)</title></head>
            <body>
            \(body)
            </body></html>

            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
