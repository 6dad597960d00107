import Foundation

/// What `mms meeting import` did with one meeting.
public struct ImportedMeeting: Sendable, Hashable {
    /// What became of it.
    public enum Outcome: String, Sendable, Hashable {
        /// Its online meeting was registered for the organiser: it will be migrated (M4).
        case registered
        /// Its online meeting was known already.
        case alreadyRegistered
        /// Its block names another organiser or another meeting: taken for pasted (M4), left alone.
        case pasted
        /// It has no online-meeting block.
        case noBlock
    }

    /// The meeting.
    public var meeting: MeetingID
    /// Its subject.
    public var subject: String
    /// What became of it.
    public var outcome: Outcome
    /// Why, in words (the join URL, whom it names).
    public var reason: String

    /// Creates a record.
    public init(meeting: MeetingID, subject: String, outcome: Outcome, reason: String) {
        self.meeting = meeting
        self.subject = subject
        self.outcome = outcome
        self.reason = reason
    }
}

/// Importing meetings that already exist in a mailbox (issue 17, M4 with a real calendar).
extension MigrationEngine {
    /// Registers, as created through the service, the online meetings of `identity`'s future
    /// meetings whose block names this organiser: a Skype URL's user segment equal to the user's
    /// SIP user, or a Teams URL's organiser id equal to the user's id. A block naming anyone else,
    /// or an online meeting already registered for another calendar meeting, is taken for pasted
    /// and left alone. Changes no meeting.
    /// - Throws: ``MigrationEngineError`` for an unknown user or a mailbox that cannot be read.
    public func importMeetings(tenant: TenantID, identity: String) async throws -> [ImportedMeeting] {
        let organizer = try await user(tenant: tenant, identity: identity)
        let mailbox = try await tenantMailbox(tenant)
        let meetings: [MailboxMeeting]
        do {
            meetings = try await mailbox.futureMeetings(of: organizer, now: clock.now())
        } catch let error as MailboxError {
            throw MigrationEngineError(code: .failedPrecondition, field: "mailbox", message: "\(mailbox.description): \(error.description)")
        }
        let names: Set<String> = [organizer.sipUser.lowercased(), organizer.id.rawValue.lowercased()]
        var report: [ImportedMeeting] = []
        for entry in meetings where entry.unreadable == nil {
            let meeting = entry.meeting
            func add(_ outcome: ImportedMeeting.Outcome, _ reason: String) {
                report.append(ImportedMeeting(meeting: meeting.id, subject: meeting.subject, outcome: outcome, reason: reason))
            }
            guard let block = InvitationBlock.find(in: meeting.body, format: meeting.bodyFormat).first else {
                add(.noBlock, "no online-meeting block in the invitation")
                continue
            }
            if let known = try await conferencing.service(for: block.kind).lookUp(joinURL: block.joinURL) {
                if known.calendarMeeting == meeting.id && known.organizer == organizer.id {
                    add(.alreadyRegistered, "\(block.joinURL) is registered already")
                } else {
                    add(.pasted, "\(block.joinURL) belongs to another meeting: its block was copied (M4)")
                }
                continue
            }
            guard let named = InvitationBlock.organizer(ofJoinURL: block.joinURL), names.contains(named) else {
                let whom = InvitationBlock.organizer(ofJoinURL: block.joinURL).map { "names \($0)" } ?? "names no organiser"
                add(.pasted, "\(block.joinURL) \(whom), not \(organizer.userPrincipalName): taken for a block copied from another organiser's meeting (M4)")
                continue
            }
            try await store.saveOnlineMeeting(OnlineMeeting(
                kind: block.kind, joinURL: block.joinURL, tenant: tenant, organizer: organizer.id, calendarMeeting: meeting.id,
                conferenceId: nil, dialInNumbers: []))
            add(.registered, "\(block.joinURL) names \(organizer.userPrincipalName)")
        }
        logger.info("meetings imported", metadata: [
            "tenant": "\(tenant)", "user": "\(identity)", "registered": "\(report.filter { $0.outcome == .registered }.count)",
        ])
        return report
    }
}
