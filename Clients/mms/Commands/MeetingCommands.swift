import ArgumentParser
import Foundation
import MMSClient

/// `mms meeting ...`: meetings in organisers' calendars, and the invitations sent for them.
struct MeetingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meeting",
        abstract: "Add meetings to calendars, read them back (with the rewritten block), and list their updated invitations.",
        subcommands: [Add.self, List.self, Get.self, Invitations.self, Import.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a meeting to its organiser's calendar.",
            discussion: """
                The server schedules the meeting in its conferencing service and appends the online-meeting \
                block to the body, as the "Add Skype meeting" button does; with --pasted the body is kept \
                as given (a block copied from another meeting, which is never migrated: M4). The body is \
                sent byte for byte (UTF-8). Example:
                  mms meeting add --organizer ashaw@contoso.com --subject "Weekly sync" \\
                    --start 2026-12-01T09:00:00Z --end 2026-12-01T09:30:00Z \\
                    --body-file agenda.html --format html --kind skype-on-premises \\
                    --attendee bob@contoso.com --attendee carol@fabrikam.com --attachment plan.pdf
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The organiser's principal name.", valueName: "upn"))
        var organizer: String

        @Option(help: ArgumentHelp("The subject.", valueName: "text"))
        var subject: String = ""

        @Option(help: ArgumentHelp("When it starts, ISO 8601 (e.g. 2026-12-01T09:00:00Z).", valueName: "time"), transform: { try TimeText.parse($0, option: "--start") })
        var start: Int64

        @Option(help: ArgumentHelp("When it ends, ISO 8601.", valueName: "time"), transform: { try TimeText.parse($0, option: "--end") })
        var end: Int64

        @Option(help: ArgumentHelp("Read the invitation body from this file ('-' for standard input).", valueName: "path"))
        var bodyFile: String?

        @Option(help: ArgumentHelp("The invitation body, given inline.", valueName: "text"))
        var body: String?

        @Option(help: ArgumentHelp("The body's format: html or text.", valueName: "format"))
        var format: BodyFormatChoice

        @Option(help: ArgumentHelp("The online meeting's kind: teams, skype-online or skype-on-premises.", valueName: "kind"))
        var kind: MeetingKindChoice

        @Option(help: ArgumentHelp("An attendee's address; repeat for each attendee.", valueName: "address"))
        var attendee: [String] = []

        @Option(help: ArgumentHelp(
            "Read attendees' addresses from this file, one a line ('-' for standard input).",
            discussion: "Blank lines are skipped and CRLF line endings are accepted. The file's addresses come after those of --attendee.",
            valueName: "path"))
        var attendeesFile: String?

        /// Every `--attendee` value, NUL-separated, as ``CommandLineArguments`` hands them over
        /// (so that thousands of them are read in linear time); never typed by a person.
        @Option(name: .customLong("attendee-values"), help: .private)
        var attendeeValues: String?

        @Option(help: ArgumentHelp("A file to attach (its name and bytes are kept); repeat for each file.", valueName: "path"))
        var attachment: [String] = []

        @Flag(help: "The body carries a block pasted from another meeting: the meeting is not scheduled in its service (M4).")
        var pasted = false

        @Option(help: ArgumentHelp(
            "Make it a recurring series: an RFC 5545 RRULE, e.g. 'FREQ=WEEKLY;BYDAY=MO;COUNT=10' (--start and --end are its first occurrence).",
            valueName: "rule"))
        var rrule: String?

        func validate() throws {
            guard (bodyFile == nil) != (body == nil) else { throw ValidationError("give exactly one of --body-file and --body") }
            if bodyFile == "-" && attendeesFile == "-" {
                throw ValidationError("--body-file and --attendees-file cannot both read standard input")
            }
        }

        /// The attendees: every --attendee, in order, then the lines of --attendees-file.
        func attendees() throws -> [String] {
            var addresses = attendee
            if let attendeeValues {
                addresses += attendeeValues.split(separator: CommandLineArguments.attendeeSeparator, omittingEmptySubsequences: false).map(String.init)
            }
            if let attendeesFile { addresses += try Self.readAttendees(attendeesFile) }
            return addresses
        }

        func run() async throws {
            try await Session.run(global) { session in
                let meeting = Meeting(
                    organizer: organizer, attendees: try attendees(), startMicros: start, endMicros: end, subject: subject,
                    body: try body ?? Self.readBody(bodyFile ?? "-"), bodyFormat: format.format,
                    attachments: try attachment.map(Self.readAttachment), kind: kind.kind, createdThroughService: !pasted,
                    rrule: rrule ?? "")
                let added = try await session.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: meeting))
                session.print(added) { TextViews.meeting(added, withBody: false) }
            }
        }

        /// The body's exact bytes, which must be UTF-8.
        static func readBody(_ path: String) throws -> String {
            try readText(path, option: "--body-file")
        }

        /// The addresses in an attendees file: one a line, blank lines skipped, CRLF accepted,
        /// spaces around an address dropped.
        static func readAttendees(_ path: String) throws -> [String] {
            try readText(path, option: "--attendees-file")
                .split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }

        /// A file's exact bytes ('-': standard input), which must be UTF-8: exit 66 when it
        /// cannot be read, 65 when it is not UTF-8.
        static func readText(_ path: String, option: String) throws -> String {
            let data: Data
            if path == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw CommandFailure("cannot read \(option) \(CommandLineArguments.printable(path))", exitCode: ExitStatus.noInput)
                }
                data = contents
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                let name = path == "-" ? "- (standard input)" : CommandLineArguments.printable(path)
                throw CommandFailure("\(option) \(name) is not UTF-8 text", exitCode: ExitStatus.badData)
            }
            return text
        }

        static func readAttachment(_ path: String) throws -> Attachment {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("cannot read --attachment \(path)", exitCode: ExitStatus.noInput)
            }
            let name = (path as NSString).lastPathComponent
            return Attachment(name: name, contentType: contentType(of: name), content: [UInt8](contents))
        }

        static func contentType(of name: String) -> String {
            switch (name as NSString).pathExtension.lowercased() {
            case "pdf": "application/pdf"
            case "txt": "text/plain"
            case "html", "htm": "text/html"
            case "png": "image/png"
            case "jpg", "jpeg": "image/jpeg"
            case "gif": "image/gif"
            case "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            case "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            case "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            case "ics": "text/calendar"
            default: "application/octet-stream"
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the future meetings a user organises.",
            discussion: "Example: mms meeting list --identity ashaw@contoso.com"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The organiser's principal name.", valueName: "upn"))
        var identity: String

        @Flag(help: "Include bodies and attachments (in JSON output).")
        var includeBodies = false

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.allPages(\.meetings, next: \.nextPageToken) {
                    try await session.call(
                        CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: identity, includeBodies: includeBodies, pageToken: $0))
                }
                session.print(response) { TextViews.meetings(response.meetings) }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one meeting with its current body, so you can see the rewritten online-meeting block.",
            discussion: """
                Examples:
                  mms meeting get --meeting-id 6c1f...
                  mms meeting get --meeting-id 6c1f... --body-only > body.html   # the body's exact bytes
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The meeting's id, as mms meeting add or list prints it.", valueName: "id"))
        var meetingId: String

        @Flag(help: "Print only the body, byte for byte, with no line added (ignores --output).")
        var bodyOnly = false

        func run() async throws {
            try await Session.run(global) { session in
                let meeting = try await session.call(CalendarServiceMethods.getMeeting, GetMeetingRequest(meetingId: meetingId))
                if bodyOnly {
                    Terminal.write(meeting.body)
                    return
                }
                session.print(meeting) { TextViews.meeting(meeting, withBody: true) }
            }
        }
    }

    struct Invitations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the updated invitations sent (or waiting in the outbox) for a meeting.",
            discussion: "Example: mms meeting invitations --meeting-id 6c1f..."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The meeting's id.", valueName: "id"))
        var meetingId: String

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.allPages(\.invitations, next: \.nextPageToken) {
                    try await session.call(CalendarServiceMethods.listInvitations, ListInvitationsRequest(meetingId: meetingId, pageToken: $0))
                }
                session.print(response) { TextViews.invitations(response.invitations) }
            }
        }
    }

    /// Registers the online meetings of meetings that already exist in the user's calendar (issue 17, M4).
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register as created through the service the existing meetings whose block names the user (M4).",
            discussion: """
                Scans the user's future meetings (on a CalDAV server, or in the built-in calendar) and registers \
                the online meeting of each one whose block names this organiser: the Skype user segment of its \
                join URL, or the Teams organiser id. Anything else is taken for a pasted block and left alone; \
                each is listed with why. No meeting is changed.

                Example: mms meeting import --identity ashaw@contoso.com
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The organiser's principal name.", valueName: "upn"))
        var identity: String

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.call(CalendarServiceMethods.importMeetings, ImportMeetingsRequest(identity: identity))
                session.print(response) {
                    TextLayout.table(
                        ["Outcome", "Subject", "MeetingId", "Reason"],
                        response.meetings.map { [$0.outcome.displayName, $0.subject, $0.meetingId, $0.reason] })
                        + "\n\(response.meetings.filter { $0.outcome == .registered }.count) registered, "
                        + "\(response.meetings.filter { $0.outcome == .pasted }.count) taken for pasted"
                }
            }
        }
    }
}

extension ImportOutcome: NamedProtoEnum {
    static var protoPrefix: String { "IMPORT_OUTCOME_" }
}

extension ImportMeetingsResponse: JSONPrintable {
    var json: JSONValue {
        .object(["meetings": .array(meetings.map { meeting in
            .object([
                "meeting_id": .string(meeting.meetingId), "subject": .string(meeting.subject), "outcome": meeting.outcome.json,
                "reason": .string(meeting.reason),
            ])
        })])
    }
}
