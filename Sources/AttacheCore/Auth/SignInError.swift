/// A sign-in or a refresh that did not give tokens: what the identity platform said (its
/// OAuth `error` and the `AADSTS…` code of its description) and what to do about it.
public struct SignInError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The user said no, on the sign-in page.
        case declined
        /// The code or the sign-in took too long.
        case expired
        /// The code was not one the platform knows (mistyped, or already used).
        case badCode
        /// The refresh token no longer works (revoked, expired after 90 days idle, or a
        /// password change): sign in again.
        case signInAgain
        /// The tenant wants an administrator to consent to the application first.
        case consentRequired
        /// The application is not in this tenant's directory, or not a public client.
        case unknownClient
        /// The tenant, or the tenant alias, is not the one the grant was made for.
        case wrongTenant
        /// Not signed in at all.
        case notSignedIn
        /// The identity platform could not be reached.
        case unreachable
        /// A reply that could not be read.
        case malformedReply
        /// Any other refusal.
        case refused
        /// The browser sign-in came back with a `state` that is not ours.
        case stateMismatch
        /// The tenant's Conditional Access blocked this way of signing in.
        case blockedByPolicy
    }

    public var kind: Kind
    /// The OAuth `error`, such as `invalid_grant`.
    public var error: String?
    /// The `AADSTS…` code from `error_description`, such as `AADSTS65001`.
    public var aadsts: String?
    /// What happened, in the platform's words when it gave some (first line, no trace ids).
    public var message: String

    public init(_ kind: Kind, error: String? = nil, aadsts: String? = nil, message: String) {
        self.kind = kind
        self.error = error
        self.aadsts = aadsts
        self.message = message
    }

    public var description: String {
        var text = message
        if let aadsts, !text.contains(aadsts) { text = "\(aadsts): \(text)" }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// What to do, where attache can tell.
    public var hint: String? {
        if aadsts == "AADSTS7000218" {
            return "the application must allow public client flows (Authentication, in its registration; see docs/real-graph.md)"
        }
        return switch kind {
        case .declined: "\(Advice.signIn) again and accept"
        case .expired: "\(Advice.signIn) again and enter the code sooner"
        case .badCode: "\(Advice.signIn) again for a new code"
        case .signInAgain, .notSignedIn: Advice.signIn.description
        case .consentRequired: "an administrator of the tenant must consent to the application (see docs/real-graph.md), or use --client-id with one registered in it"
        case .unknownClient: "check --client-id (a public client registered in the tenant, see docs/real-graph.md)"
        case .wrongTenant: "sign in again with the --tenant you use now, or use the one you signed in with"
        case .unreachable: "check the network and --authority"
        case .stateMismatch: "\(Advice.signInWithBrowser) again"
        case .blockedByPolicy: "the tenant's Conditional Access refuses this sign-in: \(Advice.signInWithBrowser), or ask its administrator"
        case .malformedReply, .refused: nil
        }
    }

    /// Reads an error reply of the token or devicecode endpoint (or the query a browser
    /// sign-in came back with).
    public static func fromReply(error: String?, description: String?, status: Int) -> SignInError {
        let aadsts = description.flatMap { $0.firstMatch(of: /AADSTS\d+/).map { String($0.output) } }
        // The platform's description runs on with trace and correlation ids: keep the sentence,
        // and of an `error` said in its place, too, its first line only.
        // The platform's words may repeat a code or a token sent to it.
        let firstLine = { (text: String) in text.split(whereSeparator: \.isNewline).first.map(String.init) }
        var message = Redaction.scrub(description.flatMap(firstLine) ?? error.flatMap(firstLine) ?? "HTTP \(status)")
        if let aadsts, message.hasPrefix(aadsts + ": ") { message = String(message.dropFirst(aadsts.count + 2)) }
        let kind: Kind
        switch (error, aadsts) {
        case ("authorization_declined", _), ("access_denied", _): kind = .declined
        case ("expired_token", _): kind = .expired
        case ("bad_verification_code", _): kind = .badCode
        case (_, "AADSTS7000012"), (_, "AADSTS90002"), (_, "AADSTS50020"): kind = .wrongTenant
        case (_, "AADSTS65001"), (_, "AADSTS90094"), (_, "AADSTS90095"), ("consent_required", _): kind = .consentRequired
        case (_, "AADSTS53003"), (_, "AADSTS50097"), (_, "AADSTS530033"): kind = .blockedByPolicy
        case (_, "AADSTS700016"), (_, "AADSTS7000218"), (_, "AADSTS700025"), ("unauthorized_client", _), ("invalid_client", _): kind = .unknownClient
        case ("invalid_grant", _), ("interaction_required", _): kind = .signInAgain
        default: kind = .refused
        }
        return SignInError(kind, error: error, aadsts: aadsts, message: message)
    }
}
