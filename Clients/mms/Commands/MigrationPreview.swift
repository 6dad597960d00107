import MMSClient

extension PreviewOutcome: NamedProtoEnum { static var protoPrefix: String { "PREVIEW_OUTCOME_" } }
extension SkipReason: NamedProtoEnum { static var protoPrefix: String { "SKIP_REASON_" } }
extension UndeterminedDetails: NamedProtoEnum { static var protoPrefix: String { "UNDETERMINED_DETAILS_" } }

extension MeetingPreview: JSONPrintable {
    var json: JSONValue {
        .object([
            "meeting_id": .string(meetingId), "location": .string(location), "subject": .string(subject),
            "start": TimeText.json(micros: startMicros), "organizer": .string(organizer), "attendee_count": .integer(attendeeCount),
            "outcome": outcome.json, "skip_reason": skipReason == .unspecified ? .null : skipReason.json, "reason": .string(reason),
            "old_block": .string(oldBlock), "new_block": .string(newBlock),
            "target_kind": targetKind == .unspecified ? .null : targetKind.json, "new_join_url": .string(newJoinUrl),
            "undetermined": undetermined.json, "body": .string(body), "sequence": .integer(sequence), "resource": .string(resource),
            "stamped_properties": .array(stampedProperties.map(JSONValue.string)), "writes": .bool(writes), "diff": .string(diff),
            "details_omitted": .bool(detailsOmitted),
        ])
    }
}

/// `mms migration preview`'s output: a table, the detailed view (`--diff`), or JSON.
struct PreviewView: JSONPrintable {
    let identity: String
    let meetings: [MeetingPreview]

    /// The outcomes in the order the summary names them.
    static let outcomes: [PreviewOutcome] = [.migrated, .skipped, .failed, .notSelected]

    func count(_ outcome: PreviewOutcome) -> Int { meetings.filter { $0.outcome == outcome }.count }

    var json: JSONValue {
        .object([
            "meetings": .array(meetings.map(\.json)),
            "summary": .object([
                "total": .integer(meetings.count), "migrated": .integer(count(.migrated)), "skipped": .integer(count(.skipped)),
                "failed": .integer(count(.failed)), "not_selected": .integer(count(.notSelected)),
            ]),
        ])
    }

    /// What the outcome column says: the outcome, and for a skipped meeting the rule.
    static func outcome(_ meeting: MeetingPreview) -> String {
        switch meeting.outcome {
        case .migrated: "Migrated → \(meeting.targetKind.displayName)"
        case .skipped: "Skipped (\(meeting.skipReason.jsonName.replacingOccurrences(of: "_", with: " ")))"
        default: meeting.outcome.displayName
        }
    }

    var table: String {
        guard !meetings.isEmpty else { return "\(identity) organises no meetings: a migration would change nothing." }
        let rows = meetings.map {
            [TimeText.table(micros: $0.startMicros), $0.subject, $0.organizer, String($0.attendeeCount), Self.outcome($0), $0.reason]
        }
        return TextLayout.table(["Start", "Subject", "Organizer", "Attendees", "Outcome", "Reason"], rows, rightAligned: ["Attendees"])
            + "\n\n" + summary
    }

    /// `5 meetings: 2 migrated, 2 skipped (1 pasted, 1 past), 0 failed, 1 not selected.` and the notes.
    var summary: String {
        var reasons: [String: Int] = [:]
        for meeting in meetings where meeting.outcome == .skipped {
            reasons[meeting.skipReason.jsonName.replacingOccurrences(of: "_", with: " "), default: 0] += 1
        }
        let skipped = reasons.isEmpty ? "" : " (" + reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")"
        var text = "\(meetings.count) meeting(s): \(count(.migrated)) migrated, \(count(.skipped)) skipped\(skipped), "
            + "\(count(.failed)) failed, \(count(.notSelected)) not selected. Nothing was changed."
        if meetings.contains(where: { $0.undetermined == .joinUrl }) {
            text += "\nA new online meeting's join URL is allocated when the migration schedules it: shown with its random digits as x."
        }
        if meetings.contains(where: { $0.undetermined == .joinDetails }) {
            text += "\nSome conferencing service decides its meetings' join details when it schedules them: shown as a placeholder."
        }
        return text
    }

    /// The table, then each migrated meeting's blocks and diff.
    var detailed: String {
        var text = table
        for meeting in meetings where meeting.outcome == .migrated {
            text += "\n\n== \(meeting.subject) (\(meeting.meetingId)), \(TimeText.table(micros: meeting.startMicros))\n"
            text += "\(meeting.reason); sequence \(meeting.sequence)"
            if !meeting.writes { text += "; it already carries this block, so it is not written" }
            if !meeting.stampedProperties.isEmpty {
                text += "; \(meeting.stampedProperties.joined(separator: " and ")) shown with the preview's time"
            }
            text += "\n-- old block\n\(meeting.oldBlock)\n-- new block\n\(meeting.newBlock)\n"
            if meeting.detailsOmitted {
                text += "-- the diff is too large to show (over 3 MiB)\n"
            } else if !meeting.diff.isEmpty {
                text += "-- diff (\(meeting.resource.isEmpty ? "body lines" : "unfolded iCalendar content lines"))\n"
                    + "--- \(meeting.location)\n+++ \(meeting.location) (migrated)\n" + meeting.diff
            }
        }
        return text
    }
}
