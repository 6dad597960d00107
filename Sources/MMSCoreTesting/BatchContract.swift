import Foundation
import MMSCore

/// The engine's batched writes (issue 11): many meetings in one transaction, each with its own
/// version check; the built-in sender's deliveries with their mark-sent.
enum BatchContract {
    /// A batch records every meeting but the one edited meanwhile, which is returned and gets
    /// nothing written; its online meetings are saved with it; recorded again, it changes nothing.
    static func batchWithConflict(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let meetings = (0..<5).map { Fixtures.meeting(organizer: ann, start: start.addingTimeInterval(Double($0 + 1) * 86_400)) }
        for meeting in meetings { try await store.saveMeeting(meeting) }
        let claim = try await OutboxContract.claimOne(store, ann)
        var edited = meetings[2]
        edited.body = "the organiser edited this"
        edited.version += 1
        try await store.saveMeeting(edited)

        func writes() -> [MeetingOutcomeWrite] {
            meetings.enumerated().map { index, meeting in
                var rewritten = meeting
                rewritten.body = "migrated \(index) " + Fixtures.unicodeText
                rewritten.kind = .teams
                let online = OnlineMeeting(
                    kind: .teams, joinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_batch\(index)%40thread.v2/0",
                    tenant: Fixtures.tenant, organizer: ann.id, calendarMeeting: meeting.id)
                return MeetingOutcomeWrite(
                    outcome: MeetingOutcomeRecord(
                        correlationId: claim.record.correlationId, meeting: meeting.id, subject: meeting.subject, outcome: .migrated,
                        reason: "ok", recorded: start.adding(hold)),
                    rewrite: MeetingRewrite(expectedVersion: meeting.version, rewritten: rewritten),
                    invitation: OutboxContract.invitation(claim, meeting, body: rewritten.body), onlineMeeting: online)
            }
        }
        let conflicts = try await store.recordMeetingOutcomes(writes(), lease: claim.lease)
        try require(conflicts == [meetings[2].id], "the edited meeting is returned, alone: \(conflicts)")
        for (index, meeting) in meetings.enumerated() {
            let stored = try await store.meeting(Fixtures.tenant, id: meeting.id)
            let invitations = try await store.invitations(forMeeting: meeting.id)
            let online = try await store.onlineMeeting(Fixtures.tenant, calendarMeeting: meeting.id, kind: .teams)
            if index == 2 {
                try require(stored?.body == "the organiser edited this" && stored?.version == meeting.version + 1, "the edit survives")
                try require(invitations.isEmpty && online == nil, "nothing written for the edited meeting")
            } else {
                try require(stored?.version == meeting.version + 1 && stored?.kind == .teams, "meeting \(index) rewritten once")
                try require(stored.map { Array($0.body.utf8) } == Array(("migrated \(index) " + Fixtures.unicodeText).utf8), "body \(index) exact")
                try require(invitations.count == 1 && online?.joinURL.hasSuffix("batch\(index)%40thread.v2/0") == true,
                    "meeting \(index): one invitation and its online meeting")
            }
        }
        var record = try await store.migrationStatus(claim.record.correlationId)
        try require(record?.totalMeetings == 4 && record?.succeededMeetings == 4 && record?.invitesUpdated == 4,
            "counters for the four recorded: \(String(describing: record))")

        // The same batch again (a resumed attempt): the recorded ones are left alone.
        let again = try await store.recordMeetingOutcomes(writes(), lease: claim.lease)
        try require(again == [meetings[2].id], "still only the edited one: \(again)")
        record = try await store.migrationStatus(claim.record.correlationId)
        try require(record?.totalMeetings == 4 && record?.invitesUpdated == 4, "nothing counted twice: \(String(describing: record))")
        let first = try await store.meeting(Fixtures.tenant, id: meetings[0].id)
        try require(first?.version == meetings[0].version + 1, "not rewritten twice")
    }

    /// A batch presented with a lease that was taken over writes nothing at all.
    static func batchFenced(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let meeting = Fixtures.meeting(organizer: ann, start: start.addingTimeInterval(86_400))
        try await store.saveMeeting(meeting)
        let claim = try await OutboxContract.claimOne(store, ann)
        // The lease expires and another worker claims the migration.
        let later = claim.lease.expires.addingTimeInterval(1)
        let takeover = try await store.claimDueMigrations(now: later, owner: "other", leaseDuration: .seconds(600), limit: 1)
        try require(takeover.count == 1, "the expired lease is reclaimed")
        var rewritten = meeting
        rewritten.body = "stale"
        let online = OnlineMeeting(
            kind: .teams, joinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_stale%40thread.v2/0",
            tenant: Fixtures.tenant, organizer: ann.id, calendarMeeting: meeting.id)
        do {
            _ = try await store.recordMeetingOutcomes([
                MeetingOutcomeWrite(
                    outcome: MeetingOutcomeRecord(
                        correlationId: claim.record.correlationId, meeting: meeting.id, subject: meeting.subject, outcome: .migrated,
                        reason: "ok", recorded: later),
                    rewrite: MeetingRewrite(expectedVersion: meeting.version, rewritten: rewritten),
                    invitation: OutboxContract.invitation(claim, meeting, body: "stale"), onlineMeeting: online)
            ], lease: claim.lease)
            throw ContractFailure("a fenced-off batch was accepted")
        } catch MigrationStoreConflict.leaseLost(let id) {
            try require(id == claim.record.correlationId, "names the migration")
        }
        let stored = try await store.meeting(Fixtures.tenant, id: meeting.id)
        let saved = try await store.onlineMeeting(Fixtures.tenant, calendarMeeting: meeting.id, kind: .teams)
        let invitations = try await store.invitations(forMeeting: meeting.id)
        let outcomes = try await store.meetingOutcomes(claim.record.correlationId)
        try require(stored?.body == meeting.body && saved == nil && invitations.isEmpty && outcomes.isEmpty, "nothing written")
    }

    /// The built-in sender's batch: every invitation delivered once and marked sent, in one call;
    /// delivered again, only the attempts move.
    static func deliveriesBatch(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let claim = try await OutboxContract.claimOne(store, ann)
        var invitations: [OutgoingInvitation] = []
        for index in 0..<3 {
            let meeting = Fixtures.meeting(organizer: ann, start: start.addingTimeInterval(Double(index + 1) * 86_400))
            try await store.saveMeeting(meeting)
            let invitation = OutboxContract.invitation(claim, meeting, body: "invitation \(index) " + Fixtures.unicodeText)
            try await store.recordMeetingOutcome(
                MeetingOutcomeRecord(
                    correlationId: claim.record.correlationId, meeting: meeting.id, subject: meeting.subject, outcome: .migrated,
                    reason: "ok", recorded: start.adding(hold)),
                rewrite: nil, invitation: invitation, lease: claim.lease)
            invitations.append(invitation)
        }
        try await store.recordDeliveriesAndMarkSent(Array(invitations.prefix(2)), now: start.adding(hold))
        let unsent = try await store.unsentInvitations(limit: 10)
        try require(unsent.map(\.id) == [invitations[2].id], "the two delivered are sent, the third is not: \(unsent.map(\.id))")
        try await store.recordDeliveriesAndMarkSent(invitations, now: start.adding(hold))
        try require(try await store.unsentInvitations(limit: 10).isEmpty, "all sent")
        for (index, invitation) in invitations.enumerated() {
            let deliveries = try await store.deliveries(forMeeting: invitation.meeting)
            try require(deliveries.count == 1, "invitation \(index) delivered once, got \(deliveries.count)")
            try require(deliveries[0].attempts == (index < 2 ? 2 : 1), "attempts of \(index): \(deliveries[0].attempts)")
            try require(Array(deliveries[0].invitation.body.utf8) == Array(invitation.body.utf8), "body \(index) exact")
        }
    }

    /// The last batch and the migration's end in one write; a batch with a conflicted meeting
    /// records the rest but leaves the migration running, for the caller to re-plan.
    static func batchAndFinish(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let meetings = (0..<2).map { Fixtures.meeting(organizer: ann, start: start.addingTimeInterval(Double($0 + 1) * 86_400)) }
        for meeting in meetings { try await store.saveMeeting(meeting) }
        let claim = try await OutboxContract.claimOne(store, ann)
        func write(_ meeting: CalendarMeeting) -> MeetingOutcomeWrite {
            var rewritten = meeting
            rewritten.body = "migrated"
            return MeetingOutcomeWrite(
                outcome: MeetingOutcomeRecord(
                    correlationId: claim.record.correlationId, meeting: meeting.id, subject: meeting.subject, outcome: .migrated,
                    reason: "ok", recorded: start.adding(hold)),
                rewrite: MeetingRewrite(expectedVersion: meeting.version, rewritten: rewritten),
                invitation: OutboxContract.invitation(claim, meeting, body: "migrated"))
        }
        var edited = meetings[1]
        edited.version += 1
        try await store.saveMeeting(edited)
        let finish = MigrationFinish(state: .succeeded, message: "done in one write", now: start.adding(hold))
        let conflicts = try await store.recordMeetingOutcomes(meetings.map(write), lease: claim.lease, finish: finish)
        try require(conflicts == [meetings[1].id], "the edited meeting is returned: \(conflicts)")
        var record = try await store.migrationStatus(claim.record.correlationId)
        try require(record?.state == .inProgress && record?.succeededMeetings == 1, "not finished while a meeting is to re-plan: \(String(describing: record))")

        let again = try await store.recordMeetingOutcomes([write(edited)], lease: claim.lease, finish: finish)
        try require(again.isEmpty, "the re-planned meeting is recorded")
        record = try await store.migrationStatus(claim.record.correlationId)
        try require(record?.state == .succeeded && record?.lastMessage == "done in one write" && record?.succeededMeetings == 2
            && record?.leaseOwner == nil, "finished with its last batch: \(String(describing: record))")
        let claimedAgain = try await store.claimDueMigrations(now: start.adding(hold).addingTimeInterval(7200), owner: "w2", leaseDuration: .seconds(60), limit: 5)
        try require(claimedAgain.isEmpty, "a finished migration is never claimed again")
    }
}
