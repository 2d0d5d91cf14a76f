import Foundation

/// Fills an empty store with the items a newcomer (or a test) expects to find.
enum MailboxSeeder {
    static let demoUser = UserRow(
        id: "5b8e0f5a-3c7d-4b9e-a1f2-0c6d9e8b7a41", tenantID: "0d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
        userPrincipalName: EmulatorConfiguration.demoUser, displayName: "Demo User")

    /// A shared mailbox, with the demo user as its delegate (see ``EmulatorConfiguration/delegates``).
    static let sharedMailbox = UserRow(
        id: "9c4a7e21-6b3d-4f8a-b5c2-1d0e9f8a7b63", tenantID: demoUser.tenantID,
        userPrincipalName: EmulatorConfiguration.sharedMailbox, displayName: "Team mailbox")

    static let walkthroughMessageOwner = UserRow(
        id: "a8e8e219-4931-95c1-b73d-62626fd79c32", tenantID: "72aa88bf-76f0-494f-91ab-2d7cd730db47",
        userPrincipalName: "megan@walkthrough.test", displayName: "Megan Bowen")
    static let walkthroughEventOwner = UserRow(
        id: "d3b9214b-dd8b-441d-b7dc-c446c9fa0e69", tenantID: "98a79ebe-74bf-4e07-a017-7b410848cb32",
        userPrincipalName: "adele@walkthrough.test", displayName: "Adele Vance")

    static func seed(_ store: MailboxStore, fixtures: Set<EmulatorConfiguration.Fixture>, now: Date = Date()) async throws {
        if fixtures.contains(.demo), try await store.user(id: demoUser.id) == nil {
            try await store.insert(user: demoUser)
            for item in demoItems(owner: demoUser.id, now: now) { try await store.insert(item: item) }
        }
        // Apart from the demo user's, so a store made before it existed gets it too.
        if fixtures.contains(.demo), try await store.user(id: sharedMailbox.id) == nil {
            try await store.insert(user: sharedMailbox)
            let team = ItemPeople.Person(name: sharedMailbox.displayName, address: sharedMailbox.userPrincipalName)
            try await store.insert(
                item: message(
                    EmulatorIDs.item(), owner: sharedMailbox.id, subject: "Team newsletter: November", at: now.addingTimeInterval(-3600), draft: false,
                    people: ItemPeople(from: People.comms, to: [team]), body: "This month: the offsite, new starters, and the Q3 numbers."))
            try await store.insert(
                item: message(
                    EmulatorIDs.item(), owner: sharedMailbox.id, subject: "Supplier invoices to file", at: now.addingTimeInterval(-86_400),
                    people: ItemPeople(to: [People.accounts]), body: "The supplier invoices for October are attached."))
            try await store.insert(
                item: event(
                    EmulatorIDs.item(), owner: sharedMailbox.id, subject: "Team stand-up", start: now.addingTimeInterval(86_400), hours: 0.25, location: "Teams",
                    at: now, people: ItemPeople(attendees: [.init(person: People.owner, type: "required", response: "accepted")]),
                    body: "Fifteen minutes: yesterday, today, blockers."))
        }
        if fixtures.contains(.walkthrough), try await store.user(id: walkthroughMessageOwner.id) == nil {
            try await store.insert(user: walkthroughMessageOwner)
            try await store.insert(user: walkthroughEventOwner)
            try await store.insert(
                item: message("AAMkADI5MAAIT3drCAAA=", owner: walkthroughMessageOwner.id, subject: "Flower photos", at: now))
            try await store.insert(
                item: event(
                    "AAMkADU5CCmSAAA=", owner: walkthroughEventOwner.id, subject: "Garden visit",
                    start: now.addingTimeInterval(86_400), hours: 2, location: "Conservatory", at: now))
        }
    }

    /// People the demo mailbox corresponds with.
    enum People {
        static let owner = ItemPeople.Person(name: demoUser.displayName, address: demoUser.userPrincipalName)
        static let ines = ItemPeople.Person(name: "Inês Sousa", address: "ines.sousa@contoso.test")
        static let jose = ItemPeople.Person(name: "José Müller", address: "jose.mueller@contoso.test")
        static let ken = ItemPeople.Person(name: "佐藤 健", address: "ken.sato@contoso.test")
        static let legal = ItemPeople.Person(name: "Legal team", address: "legal@contoso.test")
        static let claire = ItemPeople.Person(name: "Claire Dubois", address: "claire.dubois@contoso.test")
        static let comms = ItemPeople.Person(name: "Internal Communications", address: "comms@contoso.test")
        static let accounts = ItemPeople.Person(name: "Accounts payable", address: "accounts@contoso.test")
    }

    /// The demo mailbox: two drafts of the owner's (with recipients, so they can be sent)
    /// and three received messages, newest first; four events the owner organizes but one,
    /// with attendees. Subjects, counts and order are what the tests and the README expect.
    static func demoItems(owner: String, now: Date) -> [ItemRow] {
        let hour: TimeInterval = 3600
        let day: TimeInterval = 86_400
        return [
            message(
                EmulatorIDs.item(), owner: owner, subject: "Quarterly report — Q3 figures", at: now.addingTimeInterval(-2 * hour),
                draft: true, people: ItemPeople(to: [People.ines], cc: [People.jose], bodyType: "html"),
                body: """
                    <html><head><style>p { margin: 0 }</style></head><body>
                    <p>Hi Inês,</p>
                    <p>Attached are the Q3 figures &amp; the summary slides.<br>Revenue is up 4% on Q2.</p>
                    <p>Best,<br>Demo</p>
                    </body></html>
                    """),
            message(
                EmulatorIDs.item(), owner: owner, subject: "Relatório trimestral: números de setembro", at: now.addingTimeInterval(-5 * hour),
                draft: false, people: ItemPeople(from: People.ines, to: [People.owner], bodyType: "html"),
                body: """
                    <div>Olá,</div>
                    <div>Seguem os números de setembro. Podes juntar o relatório final a esta mensagem?</div>
                    <div>Obrigada,<br>Inês</div>
                    """),
            message(
                EmulatorIDs.item(), owner: owner, subject: "旅行の写真 (Kyoto trip photos)", at: now.addingTimeInterval(-day),
                draft: false, people: ItemPeople(from: People.ken, to: [People.owner], cc: [People.ines]),
                body: "京都の写真を送ってください。\r\nPlease send the photos from Kyoto when you can.\r\n健"),
            message(
                EmulatorIDs.item(), owner: owner, subject: "Café ☕ menu for the offsite", at: now.addingTimeInterval(-2 * day),
                draft: false, people: ItemPeople(from: People.jose, to: [People.owner, People.ines], bodyType: "html"),
                body: """
                    <p>Hello both,</p>
                    <p>The caf&eacute; at LX Factory sent its menu: pastéis de nata, bifanas &amp; vegetarian options.</p>
                    <p>Could you attach the allergy list?<br>José</p>
                    """),
            message(
                EmulatorIDs.item(), owner: owner, subject: "Signed contract scan for legal", at: now.addingTimeInterval(-3 * day),
                draft: true, people: ItemPeople(to: [People.legal]),
                body: "Hello,\r\n\r\nThe signed contract is attached, scanned at 300 dpi.\r\n\r\nDemo"),
            event(
                EmulatorIDs.item(), owner: owner, subject: "Design review: attache TUI", start: now.addingTimeInterval(day), hours: 1, location: "Room 4.12",
                at: now,
                people: ItemPeople(
                    attendees: [
                        .init(person: People.ines, type: "required", response: "accepted"),
                        .init(person: People.jose, type: "optional", response: "tentativelyAccepted"),
                    ], bodyType: "html"),
                body: "<p>Walk through the new screens.</p><p>Please read the notes attached before we meet.</p>"),
            event(
                EmulatorIDs.item(), owner: owner, subject: "Offsite in Lisboa 🇵🇹", start: now.addingTimeInterval(7 * day), hours: 8, location: "LX Factory", at: now,
                people: ItemPeople(
                    attendees: [
                        .init(person: People.ines, type: "required", response: "accepted"),
                        .init(person: People.jose, type: "required", response: "none"),
                        .init(person: People.ken, type: "optional", response: "declined"),
                    ]),
                body: "The whole team, one day at LX Factory.\r\nAgenda and travel details to follow."),
            event(
                EmulatorIDs.item(), owner: owner, subject: "Réunion d'équipe hebdomadaire", start: now.addingTimeInterval(2 * day), hours: 1, location: "Teams",
                at: now,
                people: ItemPeople(attendees: [.init(person: People.claire, type: "required", response: "accepted")]),
                body: "Point hebdomadaire : avancement, risques, questions."),
            event(
                EmulatorIDs.item(), owner: owner, subject: "会議: 予算の見直し", start: now.addingTimeInterval(3 * day), hours: 1.5, location: "東京オフィス", at: now,
                people: ItemPeople(
                    from: People.ken,
                    attendees: [
                        .init(person: People.owner, type: "required", response: "notResponded"),
                        .init(person: People.ines, type: "optional", response: "none"),
                    ]),
                body: "予算の見直しについて話し合います。"),
        ]
    }

    static func message(
        _ id: String, owner: String, subject: String, at date: Date, draft: Bool = true, people: ItemPeople? = nil, body: String = ""
    ) -> ItemRow {
        var row = ItemRow(
            id: id, ownerID: owner, kind: ItemKind.message.rawValue, subject: subject, bodyContent: body, createdAt: date,
            modifiedAt: date, receivedAt: date, isDraft: draft, startAt: nil, endAt: nil, location: nil, recipients: nil)
        if let people { row.people = people }
        return row
    }

    static func event(
        _ id: String, owner: String, subject: String, start: Date, hours: Double, location: String, at date: Date, people: ItemPeople? = nil,
        body: String = ""
    ) -> ItemRow {
        var row = ItemRow(
            id: id, ownerID: owner, kind: ItemKind.event.rawValue, subject: subject, bodyContent: body, createdAt: date,
            modifiedAt: date, receivedAt: nil, isDraft: false, startAt: start, endAt: start.addingTimeInterval(hours * 3600),
            location: location, recipients: nil)
        if let people { row.people = people }
        return row
    }
}
