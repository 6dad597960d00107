import Foundation

/// What to do with one meeting of a migration, decided before any write.
enum MeetingPlan: Sendable {
    /// The meeting's kind is not selected by the migration's scope: not counted, nothing recorded.
    case notSelected
    /// Left alone with a reason (M4, M5, no block), and which rule it is.
    case skip(SkipReason, String)
    /// Could not be migrated now; retried with the migration (M7).
    case fail(String)
    /// Rewritten and re-sent: the meeting as rewritten, the online meeting it now carries, the
    /// block that was replaced, and the online meeting's record the caller must save with the
    /// outcome (nil when the conferencing service saved it; see ``ConferencingService/prepare(for:organizer:)``).
    /// In a preview, `undetermined` says what of the online meeting is only known once it is
    /// scheduled (shown as a placeholder); in a migration it is always `.nothing`.
    case migrate(CalendarMeeting, OnlineMeeting, source: FoundBlock, toSave: OnlineMeeting?, undetermined: UndeterminedJoinDetails = .nothing)
}

/// Why a meeting is left alone: the rule that applies, for the preview's summary and scripts.
public enum SkipReason: String, Sendable, Hashable, CaseIterable {
    /// The invitation has no online-meeting block.
    case noBlock = "no_block"
    /// M5: over 250 participants, organiser included.
    case overParticipantLimit = "over_participant_limit"
    /// M4: the block was not created through the service for this meeting (pasted).
    case pasted
    /// The meeting (every occurrence of a series) has started: migrations only look at future meetings (M2, R2).
    case past
    /// Its kind is not selected by `-SourceMeetingType` (the migration does not count it).
    case notSelected = "not_selected"
    /// The mailbox could not read it as a meeting.
    case unreadable
    /// It was deleted while it was being migrated.
    case deleted
}

/// What of a previewed meeting's new online meeting is decided only when it is scheduled.
public enum UndeterminedJoinDetails: String, Sendable, Hashable {
    /// Everything is as the migration will write it.
    case nothing
    /// The join URL is allocated when the online meeting is scheduled (a fresh meeting id): the
    /// preview shows ``BuiltInConferencingService/placeholderJoinURL(kind:organizer:)``, of the
    /// same length, in its place.
    case joinURL = "join_url"
    /// The conferencing service decides the online meeting when it schedules it: the preview shows
    /// a placeholder join URL and no dial-in details.
    case joinDetails = "join_details"
}

/// How ``MeetingMigrator/plan(_:organizer:scope:scheduling:)`` gets the target online meeting.
enum Scheduling: Sendable {
    /// Scheduled now (``ConferencingService/schedule(for:organizer:)``): the CalDAV path.
    case now
    /// Decided, saved by the caller with the outcome (``ConferencingService/prepare(for:organizer:)``).
    case deferred
    /// Decided and never saved nor scheduled (``ConferencingService/preview(for:organizer:)``): the preview.
    case preview
}

/// Migrates one meeting: the steps of M2 for a single calendar item.
struct MeetingMigrator: Sendable {
    static let participantLimit = 250

    let conferencing: ConferencingServices

    /// Decides what happens to `meeting` and, for a migrated one, its online meeting in the target
    /// service. With `.deferred`, a service that keeps its meetings in the store leaves the write
    /// to the caller (``MeetingPlan/migrate(_:_:source:toSave:undetermined:)``); with `.now`, it
    /// is scheduled now; with `.preview`, nothing is scheduled or saved (the migration preview runs
    /// this same plan).
    func plan(_ meeting: CalendarMeeting, organizer: User, scope: MigrationScope, scheduling: Scheduling = .now) async -> MeetingPlan {
        let blocks = InvitationBlock.find(in: meeting.body, format: meeting.bodyFormat)
        guard !blocks.isEmpty else {
            return .skip(.noBlock, "no online-meeting block was found in the invitation, so there was nothing to replace")
        }
        let selected = blocks.filter { scope.selects($0.kind) }
        guard let firstSelected = selected.first else { return .notSelected }

        let participants = meeting.participantCount(organizerAddress: organizer.userPrincipalName)
        if participants > Self.participantLimit {
            return .skip(.overParticipantLimit, "M5: the meeting has \(participants) participants (organiser included); meetings over "
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
            return .skip(.pasted, "M4: the meeting was not created through the service: its online-meeting block (\(firstSelected.joinURL)) "
                + "has no meeting of its own in the \(firstSelected.kind.displayName) service, it was probably copied from another meeting")
        }

        let targetKind = scope.targetKind(for: block.kind)
        let target: OnlineMeeting
        var toSave: OnlineMeeting?
        var undetermined = UndeterminedJoinDetails.nothing
        do {
            let service = try conferencing.service(for: targetKind)
            switch scheduling {
            case .deferred:
                let prepared = try await service.prepare(for: meeting, organizer: organizer)
                (target, toSave) = (prepared.meeting, prepared.toSave)
            case .now:
                target = try await service.schedule(for: meeting, organizer: organizer)
            case .preview:
                let previewed = try await service.preview(for: meeting, organizer: organizer)
                (target, undetermined) = (previewed.meeting, previewed.undetermined)
            }
        } catch {
            return .fail("\(error)")
        }
        var rewritten = meeting
        rewritten.body = InvitationBlock.replacing(block, in: meeting.body, with: target.joinDetails, format: meeting.bodyFormat)
        rewritten.kind = targetKind
        rewritten.createdThroughService = true
        return .migrate(rewritten, target, source: block, toSave: toSave, undetermined: undetermined)
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
