import HTTPTypes

/// The properties Graph knows on each type the emulator serves, so that `$select` naming
/// anything else is refused as Graph refuses it, rather than ignored.
///
/// Every property of Graph's schema is here (v1.0, and beta's additions, since `/beta` is
/// served too), not only those the emulator renders: selecting a real property the emulator
/// does not keep must not fail here when it works on Graph.
enum GraphProperties {
    /// A type `$select` is checked against, with Graph's name for it and its refusal.
    enum EntityType: Sendable {
        case message
        case event
        case attachment
        case user

        init(_ kind: ItemKind) {
            switch kind {
            case .message: self = .message
            case .event: self = .event
            }
        }

        /// As Graph names the type in its message.
        var qualifiedName: String {
            switch self {
            case .message: "microsoft.graph.message"
            case .event: "microsoft.graph.event"
            case .attachment: "microsoft.graph.attachment"
            // The directory, not Exchange, answers for users, under its own type name.
            case .user: "Microsoft.DirectoryServices.User"
            }
        }

        /// Exchange answers `RequestBroker--ParseUri` (wslyvh/paperweight #1 quotes it for a
        /// message); the directory `Request_BadRequest` (its usual code for a bad query).
        var errorCode: String {
            self == .user ? "Request_BadRequest" : "RequestBroker--ParseUri"
        }

        var properties: Set<String> {
            switch self {
            case .message: GraphProperties.message
            case .event: GraphProperties.event
            case .attachment: GraphProperties.attachment
            case .user: GraphProperties.user
            }
        }
    }

    /// 400 for the first name in `select` that `type` does not have. Names are matched
    /// without regard to case, as Graph's URI parser does.
    static func check(_ select: [String]?, on type: EntityType) throws(GraphErrorResponse) {
        guard let select else { return }
        let known = type.properties
        for name in select where name != "*" && !known.contains(name.lowercased()) {
            throw GraphErrorResponse(
                .badRequest, type.errorCode, "Could not find a property named '\(name)' on type '\(type.qualifiedName)'.")
        }
    }

    /// What every Outlook item has (`outlookItem`, `entity`).
    private static let outlookItem = ["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories"]

    static let message: Set<String> = lowercased(
        outlookItem + [
            "bccRecipients", "body", "bodyPreview", "ccRecipients", "conversationId", "conversationIndex", "flag", "from",
            "hasAttachments", "importance", "inferenceClassification", "internetMessageHeaders", "internetMessageId",
            "isDeliveryReceiptRequested", "isDraft", "isRead", "isReadReceiptRequested", "parentFolderId", "receivedDateTime",
            "replyTo", "sender", "sentDateTime", "subject", "toRecipients", "uniqueBody", "webLink",
            // beta
            "mentionsPreview", "unsubscribeData", "unsubscribeEnabled",
            // navigation properties
            "attachments", "extensions", "multiValueExtendedProperties", "singleValueExtendedProperties", "mentions",
        ])

    static let event: Set<String> = lowercased(
        outlookItem + [
            "allowNewTimeProposals", "attendees", "body", "bodyPreview", "end", "hasAttachments", "hideAttendees", "iCalUId",
            "importance", "isAllDay", "isCancelled", "isDraft", "isOnlineMeeting", "isOrganizer", "isReminderOn", "location",
            "locations", "onlineMeeting", "onlineMeetingProvider", "onlineMeetingUrl", "organizer", "originalEndTimeZone",
            "originalStart", "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested",
            "responseStatus", "sensitivity", "seriesMasterId", "showAs", "start", "subject", "transactionId", "type", "webLink",
            // beta
            "cancelledOccurrences", "occurrenceId", "uid",
            // navigation properties
            "attachments", "calendar", "exceptionOccurrences", "extensions", "instances", "multiValueExtendedProperties",
            "singleValueExtendedProperties",
        ])

    /// `attachment` and what `fileAttachment` adds (the only kind attache makes).
    static let attachment: Set<String> = lowercased([
        "id", "contentType", "isInline", "lastModifiedDateTime", "name", "size", "contentBytes", "contentId", "contentLocation",
    ])

    static let user: Set<String> = lowercased([
        "id", "aboutMe", "accountEnabled", "ageGroup", "assignedLicenses", "assignedPlans", "authorizationInfo", "birthday",
        "businessPhones", "city", "companyName", "consentProvidedForMinor", "country", "createdDateTime", "creationType",
        "customSecurityAttributes", "deletedDateTime", "department", "displayName", "employeeHireDate", "employeeId",
        "employeeLeaveDateTime", "employeeOrgData", "employeeType", "externalUserState", "externalUserStateChangeDateTime",
        "faxNumber", "givenName", "hireDate", "identities", "imAddresses", "interests", "isManagementRestricted",
        "isResourceAccount", "jobTitle", "lastPasswordChangeDateTime", "legalAgeGroupClassification", "licenseAssignmentStates",
        "mail", "mailboxSettings", "mailNickname", "mobilePhone", "mySite", "officeLocation", "onPremisesDistinguishedName",
        "onPremisesDomainName", "onPremisesExtensionAttributes", "onPremisesImmutableId", "onPremisesLastSyncDateTime",
        "onPremisesProvisioningErrors", "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
        "onPremisesUserPrincipalName", "otherMails", "passwordPolicies", "passwordProfile", "pastProjects", "postalCode",
        "preferredDataLocation", "preferredLanguage", "preferredName", "print", "provisionedPlans", "proxyAddresses",
        "responsibilities", "schools", "securityIdentifier", "serviceProvisioningErrors", "showInAddressList", "signInActivity",
        "signInSessionsValidFromDateTime", "skills", "state", "streetAddress", "surname", "usageLocation", "userPrincipalName",
        "userType",
    ])

    private static func lowercased(_ names: [String]) -> Set<String> {
        Set(names.map { $0.lowercased() })
    }
}
