import ArgumentParser
import MMSClient

/// `mms migration ...`: starting migrations and following them (T4, S1).
struct MigrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migration",
        abstract: "Start meeting migrations and follow them.",
        subcommands: [Start.self, Preview.self, Status.self, Outcomes.self]
    )

    /// Start-CsExMeetingMigration (T4, S5).
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start-CsExMeetingMigration: queue a migration of one user's meetings (T4).",
            discussion: """
                Also the way to retry after fixing the cause of a failure (S5). The migration runs once \
                the server's hold has passed; several triggers within the hold make one migration (M1). Example:
                  mms migration start --identity ashaw@contoso.com --target-meeting-type teams
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name, e.g. ashaw@contoso.com.", valueName: "upn"))
        var identity: String

        @Option(help: ArgumentHelp("Which meetings: all (default), sfb (Skype for Business meetings only) or teams (Teams meetings only).", valueName: "type"))
        var sourceMeetingType: SourceChoice = .all

        @Option(help: ArgumentHelp(
            "What they become: current (default: keep each meeting's kind, refresh its dial-in details; on-premises Skype meetings go to Skype online) or teams (every selected meeting becomes a Teams meeting).",
            valueName: "type"))
        var targetMeetingType: TargetChoice = .current

        func run() async throws {
            try await Session.run(global) { session in
                let request = StartMeetingMigrationRequest(
                    identity: identity, sourceMeetingType: sourceMeetingType.value, targetMeetingType: targetMeetingType.value)
                let response = try await session.call(MigrationServiceMethods.startMeetingMigration, request)
                session.print(response) {
                    var text = response.queued
                        ? "Queued a migration for \(identity)."
                        : "Refused, no migration was queued: \(response.reason)"
                    if let status = response.status { text += "\n\n" + TextViews.status(status) }
                    return text
                }
                // Not queued means refused: S3 is off or a limitation (L1) applies.
                if !response.queued { throw CommandFailure.refused(response.reason) }
            }
        }
    }

    /// What a migration would do, before it runs (issue 15).
    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what migrating one user's meetings would do, meeting by meeting, without doing it.",
            discussion: """
                Runs the migration's own planning (the same block finder, rules M4 and M5 and block \
                rewrite, on the same mailbox) and writes nothing, sends nothing and schedules no online \
                meeting. One line per meeting, then the count of each outcome; --diff adds, for each \
                meeting that would be migrated, the block it replaces, the new block and a unified diff \
                (a CalDAV meeting's unfolded content lines, or a built-in meeting's body). A new online \
                meeting's join URL is allocated only when the migration schedules it: the preview shows a \
                placeholder of the same length (its random digits written x), and a CalDAV meeting's \
                DTSTAMP and LAST-MODIFIED carry the preview's time, not the write's. Examples:
                  mms migration preview --identity ashaw@contoso.com
                  mms migration preview --identity ashaw@contoso.com --target-meeting-type teams --diff
                  mms migration preview --identity ashaw@contoso.com --output json
                With --output json: one object, {"meetings": [...], "summary": {...}}, each meeting with \
                every field of mms.v1.MeetingPreview and the summary counting meetings per outcome.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name, e.g. ashaw@contoso.com.", valueName: "upn"))
        var identity: String

        @Option(help: ArgumentHelp("Which meetings: all (default), sfb (Skype for Business meetings only) or teams (Teams meetings only).", valueName: "type"))
        var sourceMeetingType: SourceChoice = .all

        @Option(help: ArgumentHelp("What they become: current (default) or teams, as for mms migration start.", valueName: "type"))
        var targetMeetingType: TargetChoice = .current

        @Flag(help: "Also show, for each meeting that would be migrated, the old block, the new block and a unified diff.")
        var diff = false

        func validate() throws {
            if identity.allSatisfy(\.isWhitespace) {
                throw ValidationError("--identity is empty: give the user's principal name, e.g. ashaw@contoso.com")
            }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let request = PreviewMeetingMigrationRequest(
                    identity: identity, sourceMeetingType: sourceMeetingType.value, targetMeetingType: targetMeetingType.value)
                var meetings: [MeetingPreview] = []
                for try await meeting in try await session.stream(MigrationServiceMethods.previewMeetingMigration, request) {
                    session.markAnswered()
                    meetings.append(meeting)
                }
                let preview = PreviewView(identity: identity, meetings: meetings)
                session.print(preview) { diff ? preview.detailed : preview.table }
            }
        }
    }

    /// Get-CsMeetingMigrationStatus (S1), with a live view.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get-CsMeetingMigrationStatus: migration records, their summary per state, or a live view (S1).",
            discussion: """
                Every filter is optional; records come newest first. Examples:
                  mms migration status --summary-only
                  mms migration status --state failed
                  mms migration status --identity ashaw@contoso.com --start-time 2026-11-25T00:00:00Z
                  mms migration status --identity ashaw@contoso.com --watch

                --watch follows the migrations as they change (meetings done out of total) and returns \
                once every watched migration has finished (Succeeded or Failed). With --output json it \
                prints one JSON object (a status record) per line per change.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this user's records (principal name).", valueName: "upn"))
        var identity: String?

        @Option(help: ArgumentHelp("Only records in this state: pending, in-progress, failed or succeeded.", valueName: "state"))
        var state: StateChoice?

        @Option(
            help: ArgumentHelp("Only records modified at or after this time (ISO 8601, e.g. 2026-11-25T09:00:00Z).", valueName: "time"),
            transform: { try TimeText.parse($0, option: "--start-time") })
        var startTime: Int64?

        @Option(
            help: ArgumentHelp("Only records modified at or before this time (ISO 8601).", valueName: "time"),
            transform: { try TimeText.parse($0, option: "--end-time") })
        var endTime: Int64?

        @Flag(help: "Only the number of users in each state (-SummaryOnly).")
        var summaryOnly = false

        @Option(help: ArgumentHelp("At most this many records (default: the server's, 1000).", valueName: "count"))
        var limit: UInt32?

        @Flag(help: "Follow the migrations live until every one has finished (only with --identity or no filter).")
        var watch = false

        func validate() throws {
            // Issue 9: an empty --identity is a mistake, not "every user" (leave the option out for that).
            if let identity, identity.allSatisfy(\.isWhitespace) {
                throw ValidationError("--identity is empty: give the user's principal name, e.g. ashaw@contoso.com, or leave --identity out to list every user")
            }
            if watch, state != nil || startTime != nil || endTime != nil || summaryOnly || limit != nil {
                throw ValidationError("--watch follows one user (--identity) or the whole tenant; it takes no other filter")
            }
        }

        func run() async throws {
            try await Session.run(global) { session in
                if watch {
                    try await MigrationWatch(session: session, identity: identity).run()
                    return
                }
                let request = GetMigrationStatusRequest(
                    identity: identity ?? "", startTimeMicros: startTime ?? 0, endTimeMicros: endTime ?? 0,
                    state: state?.state ?? .unspecified, summaryOnly: summaryOnly, limit: limit ?? 0)
                let response = try await session.call(MigrationServiceMethods.getMigrationStatus, request)
                session.print(response) {
                    if summaryOnly { return TextViews.summary(response.summary) }
                    if response.records.isEmpty { return "No migration records match." }
                    return response.records.map(TextViews.status).joined(separator: "\n\n")
                }
            }
        }
    }

    /// What each migration did to each meeting.
    struct Outcomes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what a migration did to each meeting, and why (migrated, skipped, failed).",
            discussion: """
                Give a user (their latest migration) or a migration's correlation id. Examples:
                  mms migration outcomes --identity ashaw@contoso.com
                  mms migration outcomes --correlation-id 849d3e3b-3e1d-465f-8dde-785aa9e3f856
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user whose latest migration to show.", valueName: "upn"))
        var identity: String?

        @Option(help: ArgumentHelp("The migration to show, as mms migration status prints it.", valueName: "id"))
        var correlationId: String?

        func validate() throws {
            guard (identity == nil) != (correlationId == nil) else {
                throw ValidationError("give exactly one of --identity and --correlation-id")
            }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.allPages(\.outcomes, next: \.nextPageToken) {
                    let request = ListMeetingOutcomesRequest(correlationId: correlationId ?? "", identity: identity ?? "", pageToken: $0)
                    return try await session.call(MigrationServiceMethods.listMeetingOutcomes, request)
                }
                session.print(response) { TextViews.outcomes(response.outcomes) }
            }
        }
    }
}
