import Foundation

/// What to do with one meeting of a migration, decided before any write.
enum MeetingPlan: Sendable {
    /// The meeting's kind is not selected by the migration's scope: not counted, nothing recorded.
    case notSelected
    /// Left alone with a reason (M4, M5, no block).
    case skip(String)
    /// Could not be migrated now; retried with the migration (M7).
    case fail(String)
    /// Rewritten and re-sent: the meeting as rewritten, the online meeting it now carries, the
    /// block that was replaced, and the online meeting's record the caller must save with the
    /// outcome (nil when the conferencing service saved it; see ``ConferencingService/prepare(for:organizer:)``).
    case migrate(CalendarMeeting, OnlineMeeting, source: FoundBlock, toSave: OnlineMeeting?)
}

/// Migrates one meeting: the steps of M2 for a single calendar item.
struct MeetingMigrator: Sendable {
    static let participantLimit = 250

    let conferencing: ConferencingServices

    /// Decides what happens to `meeting` and, for a migrated one, its online meeting in the target
    /// service. With `deferSave`, a service that keeps its meetings in the store leaves the write
    /// to the caller (``MeetingPlan/migrate(_:_:source:toSave:)``); without it, it is scheduled now.
    func plan(_ meeting: CalendarMeeting, organizer: User, scope: MigrationScope, deferSave: Bool = false) async -> MeetingPlan {
        let blocks = InvitationBlock.find(in: meeting.body, format: meeting.bodyFormat)
        guard !blocks.isEmpty else {
            return .skip("no online-meeting block was found in the invitation, so there was nothing to replace")
        }
        let selected = blocks.filter { scope.selects($0.kind) }
        guard let firstSelected = selected.first else { return .notSelected }

        let participants = meeting.participantCount(organizerAddress: organizer.userPrincipalName)
        if participants > Self.participantLimit {
            return .skip("M5: the meeting has \(participants) participants (organiser included); meetings over "
                + "\(Self.participantLimit) are not migrated, the organiser must reschedule it")
        }

        // M4: the block to replace is the one of this meeting's own online meeting; a block pasted
        // from another meeting (even one placed before it) is left as it is.
        var ownBlock: FoundBlock?
        for candidate in selected {
            let source: OnlineMeeting?
            do {
                source = try await conferencing.service(for: candidate.kind).lookUp(joinURL: candidate.joinURL)
            } catch {
                return .fail("the \(candidate.kind.displayName) service could not be reached: \(error)")
            }
            if let source, source.calendarMeeting == meeting.id, source.organizer == organizer.id {
                ownBlock = candidate
                break
            }
        }
        guard let block = ownBlock else {
            return .skip("M4: the meeting was not created through the service: its online-meeting block (\(firstSelected.joinURL)) "
                + "has no meeting of its own in the \(firstSelected.kind.displayName) service, it was probably copied from another meeting")
        }

        let targetKind = scope.targetKind(for: block.kind)
        let target: OnlineMeeting
        var toSave: OnlineMeeting?
        do {
            let service = try conferencing.service(for: targetKind)
            if deferSave {
                let prepared = try await service.prepare(for: meeting, organizer: organizer)
                (target, toSave) = (prepared.meeting, prepared.toSave)
            } else {
                target = try await service.schedule(for: meeting, organizer: organizer)
            }
        } catch {
            return .fail("\(error)")
        }
        var rewritten = meeting
        rewritten.body = InvitationBlock.replacing(block, in: meeting.body, with: target.joinDetails, format: meeting.bodyFormat)
        rewritten.kind = targetKind
        rewritten.createdThroughService = true
        return .migrate(rewritten, target, source: block, toSave: toSave)
    }
}

extension MeetingMigrator {
    /// The rewrite of every other body of a meeting (the plain-text one beside HTML, an overridden
    /// instance's): the block that names the same online meeting as `source` (or, failing that,
    /// the first block of its kind) is replaced by `target`'s; a body without one is kept as it is.
    static func bodyRewrite(source: FoundBlock, target: OnlineMeeting) -> @Sendable (String, BodyFormat) -> String {
        let identity = InvitationBlock.meetingIdentity(ofJoinURL: source.joinURL)
        let kind = source.kind
        return { body, format in
            let blocks = InvitationBlock.find(in: body, format: format)
            guard let block = blocks.first(where: { InvitationBlock.meetingIdentity(ofJoinURL: $0.joinURL) == identity })
                ?? blocks.first(where: { $0.kind == kind })
            else { return body }
            return InvitationBlock.replacing(block, in: body, with: target.joinDetails, format: format)
        }
    }
}
