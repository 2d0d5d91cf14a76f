import Foundation
import Hummingbird

extension GraphResponder {
    /// Permissions that let a caller read a user's profile.
    static let profileScopes: Set<String> = ["User.Read", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite"]

    /// `GET /me` (and `/users/{id}` for oneself): who the token signs in, as Graph writes a
    /// user, honouring `$select`. Needs `User.Read`.
    func getUser(_ request: Request, mailbox: GraphRoute.Mailbox, query: ODataQuery, grant: Grant) async throws -> Response {
        guard !grant.scopes.isDisjoint(with: Self.profileScopes) else {
            throw GraphErrorResponse(.forbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        }
        let user = try await owner(of: mailbox, grant: grant)
        let names = user.displayName.split(separator: " ", maxSplits: 1).map(String.init)
        let body = JSONValue.object([
            ("businessPhones", .array([])),
            ("displayName", .string(user.displayName)),
            ("givenName", names.first.map { .string($0) } ?? .null),
            ("jobTitle", .null),
            ("mail", .string(user.userPrincipalName)),
            ("mobilePhone", .null),
            ("officeLocation", .null),
            ("preferredLanguage", .null),
            ("surname", names.count > 1 ? .string(names[1]) : .null),
            ("userPrincipalName", .string(user.userPrincipalName)),
            ("id", .string(user.id)),
        ]).selecting(query.select)
        return json(prependingContext("\(origin(of: request))/v1.0/$metadata#users/$entity", to: body))
    }
}
