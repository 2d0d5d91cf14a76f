/// Which tenants the identity endpoints answer for, and who may sign in through each: the
/// multi-tenant aliases `organizations`, `common` and `consumers`, and every tenant of the
/// store's users by GUID or by domain (`attache.test`), in any case. Read once at start, as
/// the users are seeded then.
struct TenantDirectory: Sendable {
    static let aliases: Set<String> = ["organizations", "common", "consumers"]

    let users: [UserRow]

    /// The tenant segment as given, if the directory knows it; throws AADSTS90002 otherwise.
    func resolve(_ tenant: String) throws(IdentityError) -> String {
        let lower = tenant.lowercased()
        guard Self.aliases.contains(lower) || users.contains(where: { Self.user($0, isIn: lower) }) else {
            throw IdentityError.unknownTenant(tenant)
        }
        return lower
    }

    /// The user `key` (UPN or object id) names, if they may sign in through `tenant`.
    func user(_ key: String, signingInThrough tenant: String) throws(IdentityError) -> UserRow {
        let lower = key.lowercased()
        guard let user = users.first(where: { $0.userPrincipalName.lowercased() == lower || $0.id.lowercased() == lower }) else {
            throw IdentityError.unknownUser(key)
        }
        let lowerTenant = tenant.lowercased()
        guard Self.aliases.contains(lowerTenant) || Self.user(user, isIn: lowerTenant) else {
            throw IdentityError.userNotInTenant(user.userPrincipalName, tenant: tenant)
        }
        return user
    }

    /// A name for the directory in messages: the tenant as given, or Microsoft's for the aliases.
    static func displayName(_ tenant: String) -> String {
        aliases.contains(tenant.lowercased()) ? "Microsoft" : tenant
    }

    private static func user(_ user: UserRow, isIn tenant: String) -> Bool {
        user.tenantID.lowercased() == tenant || user.userPrincipalName.split(separator: "@").last?.lowercased() == tenant
    }
}
