import Foundation
import MMSCore

enum DirectoryContract {
    static func bodiesByteForByte(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let nfd = "cafe\u{0301}"
        let nfc = "caf\u{00E9}"
        let body = "\(nfd) \(nfc) \(Fixtures.unicodeText)\r\n\u{FEFF}end"
        var meeting = Fixtures.meeting(organizer: ann, start: start, body: body)
        meeting.subject = "Réunion \(nfd) 🎉"
        meeting.attachments.append(Attachment(name: "\(nfd).bin", contentType: "application/octet-stream", content: Data((0...255).map(UInt8.init))))
        try await store.saveMeeting(meeting)
        guard let read = try await store.meeting(Fixtures.tenant, id: meeting.id) else { throw ContractFailure("meeting lost") }
        try require(Array(read.body.utf8) == Array(body.utf8), "body bytes changed")
        try require(Array(read.subject.utf8) == Array(meeting.subject.utf8), "subject bytes changed")
        try require(read.attachments == meeting.attachments && Array(read.attachments[1].name.utf8) == Array("\(nfd).bin".utf8), "attachments changed")
        let listed = try await store.meetings(Fixtures.tenant, organizedBy: ann.id, startingFrom: start)
        try require(listed.count == 1 && Array(listed[0].body.utf8) == Array(body.utf8), "listing keeps bytes")
        let future = try await store.meetings(Fixtures.tenant, organizedBy: ann.id, startingFrom: start.addingTimeInterval(1))
        try require(future.isEmpty, "startingFrom filters")
    }

    static func directoryRules(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann", conferenceId: "111222333")
        let bob = Fixtures.user("bob", conferenceId: "444555666")
        let store = try await seededStore(makeStore, users: [ann, bob])
        do {
            try await store.createUser(User(tenant: Fixtures.tenant, userPrincipalName: "ANN@contoso.com"))
            throw ContractFailure("duplicate principal name accepted")
        } catch let error as MigrationEngineError {
            try require(error.code == .alreadyExists, "code \(error.code)")
        }
        let refused = try await store.modifyUser(Fixtures.tenant, principalName: "ann@contoso.com", parameters: parameters(start)) { user, _ in
            user.homing = .onPremises
            return .refuse(NotQueuedReason(code: .movingBackToOnPremises, message: "no", changeApplied: false))
        }
        try require(refused.user.homing == .online && !refused.migration.isQueued, "refused outcome")
        let afterRefusal = try await store.user(Fixtures.tenant, principalName: "ann@contoso.com")
        try require(afterRefusal?.homing == .online, "a refused change writes nothing")
        let statuses = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter())
        try require(statuses.isEmpty, "a refused change queues nothing")
        do {
            _ = try await store.modifyUser(Fixtures.tenant, principalName: "bob@contoso.com", parameters: parameters(start)) { user, _ in
                user.audioConferencing.conferenceId = "111222333"
                return .enqueue(QueueContract.all)
            }
            throw ContractFailure("a conference id used twice on one bridge was accepted")
        } catch let error as MigrationEngineError {
            try require(error.code == .failedPrecondition && error.field == "conferenceId", "error \(error)")
        }
        let bobAfter = try await store.user(Fixtures.tenant, principalName: "bob@contoso.com")
        try require(bobAfter?.audioConferencing.conferenceId == "444555666", "the failed change wrote nothing")
        let stillNothing = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter())
        try require(stillNothing.isEmpty, "the failed change queued nothing")
        let applied = try await store.modifyUser(Fixtures.tenant, principalName: "Bob@Contoso.com", parameters: parameters(start)) { user, _ in
            user.audioConferencing.bridge = Fixtures.otherBridge.id
            user.audioConferencing.conferenceId = "111222333"  // free on the other bridge
            return .enqueue(QueueContract.all)
        }
        try require(applied.migration.isQueued && applied.user.audioConferencing.bridge == Fixtures.otherBridge.id, "applied with its enqueue")
        let onOther = try await store.users(Fixtures.tenant, onBridge: Fixtures.otherBridge.id)
        try require(onOther.map(\.id) == [bob.id], "users by bridge")
        do {
            _ = try await store.modifyUser(Fixtures.tenant, principalName: "nobody@contoso.com", parameters: parameters(start)) { _, _ in
                .enqueue(QueueContract.all)
            }
            throw ContractFailure("unknown user accepted")
        } catch let error as MigrationEngineError {
            try require(error.code == .notFound && error.field == "identity", "error \(error)")
        }
    }

    static func tenantSettings(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let store = try await makeStore()
        let defaults = try await store.tenantSettings(Fixtures.tenant)
        try require(defaults.meetingMigrationEnabled && defaults.automaticallyMigrateUserMeetings, "defaults on")
        var changed = defaults
        changed.meetingMigrationEnabled = false
        try await store.saveTenantSettings(changed)
        let read = try await store.tenantSettings(Fixtures.tenant)
        try require(read == changed, "persisted")
        let other = try await store.tenantSettings(TenantID("fabrikam"))
        try require(other.meetingMigrationEnabled, "per tenant")
    }

    static func reopen(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        var outcome: EnqueueOutcome
        do {
            let store = try await seededStore(makeStore, users: [ann])
            outcome = try await store.enqueueMigration(for: ann, scope: QueueContract.all, parameters: parameters(start))
        }
        let reopened = try await makeStore()
        let record = try await reopened.migrationStatus(outcome.record!.correlationId)
        try require(record == outcome.record, "the acknowledged enqueue is there after reopening")
        let user = try await reopened.user(Fixtures.tenant, id: ann.id)
        try require(user == ann, "the user is there after reopening")
    }

    static func onlineMeetingIdentity(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let meeting = Fixtures.meeting(organizer: ann, start: start)
        let skype = OnlineMeeting(
            kind: .skypeOnline, joinURL: "https://meet.lync.com/contoso/ann/K7QZ2B4X", tenant: Fixtures.tenant,
            organizer: ann.id, calendarMeeting: meeting.id, conferenceId: "123456789", dialInNumbers: Fixtures.bridge.numbers)
        let teams = OnlineMeeting(
            kind: .teams,
            joinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d",
            tenant: Fixtures.tenant, organizer: ann.id, calendarMeeting: meeting.id)
        try await store.saveOnlineMeeting(skype)
        try await store.saveOnlineMeeting(teams)
        let exact = try await store.onlineMeeting(joinURL: skype.joinURL)
        try require(exact == skype, "found by its own URL")
        let respelled = try await store.onlineMeeting(joinURL: "https://MEET.LYNC.COM/contoso/ann/K7QZ2B4X?sl=1")
        try require(respelled == skype, "found by another spelling")
        let teamsRespelled = try await store.onlineMeeting(joinURL: "https://teams.microsoft.com/l/meetup-join/19%3Ameeting_abc%40thread.v2/0")
        try require(teamsRespelled == teams, "Teams found without its context query")
        let other = try await store.onlineMeeting(joinURL: "https://meet.lync.com/contoso/ann/OTHERKEY")
        try require(other == nil, "another key is another meeting")
        let byCalendar = try await store.onlineMeeting(Fixtures.tenant, calendarMeeting: meeting.id, kind: .teams)
        try require(byCalendar == teams, "by calendar meeting and kind")
        let byOrganizer = try await store.onlineMeetings(Fixtures.tenant, organizedBy: ann.id)
        try require(Set(byOrganizer.map(\.joinURL)) == [skype.joinURL, teams.joinURL], "by organiser")
    }
}
