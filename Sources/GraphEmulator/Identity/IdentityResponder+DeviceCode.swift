import Foundation
import HTTPTypes
import Hummingbird

extension IdentityResponder {
    /// `POST /{tenant}/oauth2/v2.0/devicecode` with `client_id` and `scope`: starts a device
    /// authorization (RFC 8628 §3.1) and answers the codes, where to enter the user code,
    /// how long it holds and how often to poll.
    func deviceCode(_ request: Request, tenant segment: String) async throws -> Response {
        store.count { $0.deviceCodeRequests += 1 }
        let form = try await form(request)
        let (tenant, client) = try caller(form, tenant: segment)
        let scopes = try ScopeSet(parsing: try form.required("scope"))
        let (deviceCode, userCode) = store.issueDeviceCode(clientID: client.id, tenant: tenant, scopes: scopes)
        let verificationURI = origin(of: request) + IdentityRoute.verificationPath
        return json(
            .object([
                ("user_code", .string(userCode)),
                ("device_code", .string(deviceCode)),
                ("verification_uri", .string(verificationURI)),
                ("expires_in", .int(Self.seconds(configuration.identity.deviceCodeLifetime))),
                ("interval", .int(Self.seconds(configuration.identity.deviceCodeInterval))),
                ("message", .string("To sign in, use a web browser to open the page \(verificationURI) and enter the code \(userCode) to authenticate.")),
            ]))
    }

    /// `GET /devicelogin` shows a form for the user code (and whom to sign in as); `POST`
    /// with `code` (and `user`, `action=approve|decline`) decides, as a person would.
    func verificationPage(_ request: Request) async throws -> Response {
        if request.method == .get {
            let prefilled = (try? FormBody(request.uri.query ?? ""))?["otc"]
            return SignInPages.deviceLogin(prefilledCode: prefilled, defaultUser: EmulatorConfiguration.demoUser)
        }
        let form: FormBody
        do {
            form = try await self.form(request)
        } catch let error as IdentityError {
            throw PageError(error: error)
        }
        guard let code = form["code"], let grant = store.deviceCode(userCode: code) else { return SignInPages.codeDidNotWork() }
        let approve = (form["action"] ?? "approve") != "decline"
        do {
            try decide(grant, approve: approve, as: form["user"])
        } catch {
            if error.error == IdentityError.badVerificationCode.error { return SignInPages.codeDidNotWork() }
            throw PageError(error: error)
        }
        let clientName = configuration.identity.clients.first { $0.id == grant.clientID }?.name ?? grant.clientID
        return SignInPages.deviceLoginDone(clientName: clientName, approved: approve)
    }

    /// Approves (as `user`, by default the demo user) or declines a pending device authorization.
    func decide(_ grant: DeviceCodeGrant, approve: Bool, as user: String?) throws(IdentityError) {
        let signedIn = approve ? try directory.user(user ?? EmulatorConfiguration.demoUser, signingInThrough: grant.tenant) : nil
        try store.decide(userCode: grant.userCode, approveAs: signedIn)
    }
}
