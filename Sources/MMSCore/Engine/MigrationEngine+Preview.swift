import Foundation
import MMSICalendar

/// What a migration of one user would do to one meeting (`mms migration preview`, issue 15).
public struct MeetingPreview: Sendable, Hashable {
    /// What would happen.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Rewritten and re-sent.
        case migrated
        /// Left alone (``MeetingPreview/skipReason`` says which rule).
        case skipped
        /// Could not be migrated now (the migration would retry it, M7).
        case failed
        /// Its kind is not selected: the migration neither changes nor counts it.
        case notSelected = "not_selected"
    }

    /// The meeting's identifier (a CalDAV meeting's UID).
    public var meeting: MeetingID
    /// Where it lives: the built-in meeting id, a CalDAV resource's URL.
    public var location: String
    public var subject: String
    /// Its start (a series: its first occurrence still relevant).
    public var start: Date
    /// The organiser's principal name.
    public var organizer: String
    /// Distinct attendees, organiser excluded (M5 counts them plus the organiser).
    public var attendeeCount: Int
    public var outcome: Outcome
    /// For a skipped or not selected meeting, the rule.
    public var skipReason: SkipReason?
    /// The reason the migration would record with the outcome, word for word (a migrated
    /// meeting's names its new join URL: a placeholder when ``undetermined`` says so).
    public var reason: String
    /// The block found and replaced, exactly as the body holds it; nil unless migrated.
    public var oldBlock: String?
    /// The block that replaces it, exactly as the migration writes it; nil unless migrated.
    public var newBlock: String?
    /// The kind of online meeting the meeting would carry; nil unless migrated.
    public var targetKind: MeetingKind?
    /// The new online meeting's join URL (or its placeholder); nil unless migrated.
    public var newJoinURL: String?
    /// What of the new online meeting is only decided when it is scheduled.
    public var undetermined: UndeterminedJoinDetails
    /// Properties of ``resource`` that take the time of the write (shown with the preview's time).
    public var stampedProperties: [String]
    /// The body as the migration would write it (its primary body: HTML when there is one); nil unless migrated.
    public var body: String?
    /// The sequence the meeting and its invitation would carry; nil unless migrated.
    public var sequence: Int?
    /// A CalDAV meeting's iCalendar resource as the migration would write it; nil otherwise.
    public var resource: String?
    /// Whether the migration would write the meeting: false for one whose body already carries
    /// exactly the new block (it is recorded as migrated without a write).
    public var writes: Bool
    /// A unified diff of what would change: a CalDAV resource's unfolded content lines, or the
    /// built-in meeting's body lines; empty when nothing would change.
    public var diff: String
}

extension MigrationEngine {
    /// `mms migration preview`: what `Start-CsExMeetingMigration -Identity identity
    /// -SourceMeetingType source -TargetMeetingType target` would do to each of the user's
    /// meetings, now. It runs the migration's own plan (``MeetingMigrator/plan(_:organizer:scope:scheduling:)``:
    /// the same finder, rules M4, M5 and block rewrite) over the same meetings of the same mailbox
    /// (R1, R2), and writes nothing, sends nothing and schedules no online meeting.
    ///
    /// Each meeting is handed to `each` as soon as it is planned (the RPC streams them): first the
    /// future meetings in the order the migration takes them, then, for the built-in calendar, the
    /// past ones (skipped: past). A CalDAV server is asked for future meetings only, as by a migration.
    /// - Throws: ``MigrationEngineError`` for an empty or unknown identity; ``MailboxError`` when the
    ///   mailbox cannot be read.
    public func previewMeetingMigration(
        tenant: TenantID, identity: String, source: SourceMeetingType = .all, target: TargetMeetingType = .current,
        each: (MeetingPreview) async throws -> Void
    ) async throws {
        let organizer = try await user(tenant: tenant, identity: identity)
        let scope = MigrationScope(source: source, target: target)
        let mailbox = try await mailboxes.mailbox(for: tenant)
        let now = clock.now()
        let migrator = MeetingMigrator(conferencing: conferencing)
        let found = try await mailbox.futureMeetings(of: organizer, now: now)
        var future = Set<MeetingID>()
        for entry in found {
            future.insert(entry.meeting.id)
            try Task.checkCancellation()
            try await each(await preview(entry, in: mailbox, with: migrator, organizer: organizer, scope: scope, now: now))
        }
        guard mailbox is BuiltInMailbox else { return }
        for meeting in try await store.meetings(tenant, organizedBy: organizer.id, startingFrom: .distantPast) where !future.contains(meeting.id) {
            var preview = Self.outline(BuiltInMailbox.wrap(meeting), organizer: organizer)
            preview.outcome = .skipped
            preview.skipReason = .past
            preview.reason = "the meeting has started (every occurrence, for a series), and a migration changes only meetings still to come"
            try await each(preview)
        }
    }

    /// One meeting's preview: the plan, and for a migrated meeting what it changes.
    private func preview(
        _ entry: MailboxMeeting, in mailbox: any Mailbox, with migrator: MeetingMigrator, organizer: User, scope: MigrationScope, now: Date
    ) async -> MeetingPreview {
        var preview = Self.outline(entry, organizer: organizer)
        if let problem = entry.unreadable {
            (preview.outcome, preview.skipReason, preview.reason) = (.skipped, .unreadable, problem)
            return preview
        }
        let meeting = entry.meeting
        switch await migrator.plan(meeting, organizer: organizer, scope: scope, scheduling: .preview) {
        case .notSelected:
            (preview.outcome, preview.skipReason) = (.notSelected, .notSelected)
            preview.reason = "its kind of meeting is not selected by -SourceMeetingType: the migration does not change or count it"
        case .skip(let rule, let reason):
            (preview.outcome, preview.skipReason, preview.reason) = (.skipped, rule, reason)
        case .fail(let reason):
            (preview.outcome, preview.reason) = (.failed, reason)
        case .migrate(let rewritten, let target, let source, _, let undetermined):
            preview.outcome = .migrated
            preview.reason = "now a \(target.kind.displayName) meeting at \(target.joinURL)"
            preview.targetKind = target.kind
            preview.newJoinURL = target.joinURL
            preview.undetermined = undetermined
            preview.body = rewritten.body
            let (old, new) = Self.blocks(source, before: meeting.body, after: rewritten.body)
            (preview.oldBlock, preview.newBlock) = (old, new)
            if mailbox is BuiltInMailbox {
                preview.sequence = meeting.version + 1
                preview.diff = UnifiedDiff.lines(Self.lines(meeting.body), Self.lines(rewritten.body))
                return preview
            }
            // Another mailbox: written only if the body changes (as migrateRemote does).
            guard rewritten.body != meeting.body else {
                preview.writes = false
                preview.sequence = meeting.version
                return preview
            }
            let rewrite = MailboxRewrite(
                original: entry, source: nil, target: target, body: MeetingMigrator.bodyRewrite(source: source, target: target))
            do {
                guard let written = try await mailbox.previewWrite(rewrite, now: Date()) else {
                    preview.sequence = meeting.version + 1
                    preview.diff = UnifiedDiff.lines(Self.lines(meeting.body), Self.lines(rewritten.body))
                    return preview
                }
                let after = String(decoding: written.after, as: UTF8.self)
                preview.resource = after
                preview.stampedProperties = written.stampedProperties
                preview.sequence = meeting.version + 1
                preview.diff = UnifiedDiff.lines(Self.contentLines(String(decoding: written.before, as: UTF8.self)), Self.contentLines(after))
            } catch MailboxError.deleted(let why) {
                preview = Self.outline(entry, organizer: organizer)
                (preview.outcome, preview.skipReason, preview.reason) = (.skipped, .deleted, why)
            } catch {
                preview = Self.outline(entry, organizer: organizer)
                (preview.outcome, preview.reason) = (.failed, "\(error)")
            }
        }
        return preview
    }

    /// The part of a preview every meeting has; the outcome is the caller's.
    private static func outline(_ entry: MailboxMeeting, organizer: User) -> MeetingPreview {
        let meeting = entry.meeting
        return MeetingPreview(
            meeting: meeting.id, location: entry.location, subject: meeting.subject, start: meeting.start,
            organizer: organizer.userPrincipalName,
            attendeeCount: MailAddress.distinct(meeting.attendees, excluding: organizer.userPrincipalName).count,
            outcome: .skipped, reason: "", undetermined: .nothing, stampedProperties: [], writes: true, diff: "")
    }

    /// The replaced block in `before` and what stands in its place in `after` (the bytes
    /// around it are kept, M3); nil for the new one if they were not.
    static func blocks(_ source: FoundBlock, before: String, after: String) -> (String, String?) {
        let old = Array(before.utf8)
        let new = Array(after.utf8)
        let range = source.utf8Range
        let oldBlock = String(decoding: old[range], as: UTF8.self)
        let suffixCount = old.count - range.upperBound
        guard new.count >= range.lowerBound + suffixCount, old[..<range.lowerBound] == new[..<range.lowerBound],
              old[range.upperBound...] == new[(new.count - suffixCount)...]
        else { return (oldBlock, nil) }
        return (oldBlock, String(decoding: new[range.lowerBound..<(new.count - suffixCount)], as: UTF8.self))
    }

    /// A body's lines (LF or CRLF).
    static func lines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
    }

    /// An iCalendar resource's unfolded content lines.
    static func contentLines(_ text: String) -> [String] {
        lines(Folding.unfold(text)).filter { !$0.isEmpty }
    }
}
