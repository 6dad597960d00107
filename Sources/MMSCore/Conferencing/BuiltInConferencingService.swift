import Foundation

/// A conferencing service that keeps its online meetings in the store.
///
/// Join URLs follow the public formats of MISSION.md's appendix; the conference id is the
/// organiser's (unique on their bridge) and the dial-in numbers are their bridge's.
public struct BuiltInConferencingService: ConferencingService {
    /// The kind of meetings this service hosts.
    public let kind: MeetingKind
    private let store: any ConferencingStore & DirectoryStore

    /// Creates the service for `kind`.
    public init(kind: MeetingKind, store: any ConferencingStore & DirectoryStore) {
        self.kind = kind
        self.store = store
    }

    public func lookUp(joinURL: String) async throws -> OnlineMeeting? {
        guard let meeting = try await store.onlineMeeting(joinURL: joinURL), meeting.kind == kind else { return nil }
        return meeting
    }

    public func schedule(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> OnlineMeeting {
        let (meeting, _) = try await decide(for: calendarMeeting, organizer: organizer)
        try await store.saveOnlineMeeting(meeting)
        return meeting
    }

    /// The same decision as ``schedule(for:organizer:)``, saved by the caller in its own
    /// transaction (the engine's fenced outcome write).
    public func prepare(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreparedOnlineMeeting {
        let (meeting, _) = try await decide(for: calendarMeeting, organizer: organizer)
        return PreparedOnlineMeeting(meeting: meeting, toSave: meeting)
    }

    /// The same decision, saved nowhere. A meeting that has no online meeting in this service yet
    /// gets a fresh join URL when it is scheduled (random): the preview shows
    /// ``placeholderJoinURL(kind:organizer:)`` instead, and says so.
    public func preview(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreviewedOnlineMeeting {
        let (meeting, fresh) = try await decide(for: calendarMeeting, organizer: organizer, preview: true)
        return PreviewedOnlineMeeting(meeting: meeting, undetermined: fresh ? .joinURL : .nothing)
    }

    /// The online meeting for `calendarMeeting`: the one already scheduled for it in this
    /// service, if any (its join URL is kept, so a retried migration never makes a second one),
    /// with the organiser's current dial-in coordinates; `fresh` when it is a new one (whose join URL,
    /// in a `preview`, is the placeholder).
    private func decide(
        for calendarMeeting: CalendarMeeting, organizer: User, preview: Bool = false
    ) async throws -> (OnlineMeeting, fresh: Bool) {
        var dialIn: [DialInNumber] = []
        var conferenceId: String?
        let audio = organizer.audioConferencing
        if audio.providesMicrosoftDialIn {
            guard let bridgeId = audio.bridge else {
                throw ConferencingError(
                    "\(organizer.userPrincipalName) has audio conferencing but no bridge: assign a bridge "
                        + "to the user, then run Start-CsExMeetingMigration for them again")
            }
            guard let bridge = try await store.bridge(organizer.tenant, id: bridgeId) else {
                throw ConferencingError(
                    "the bridge \(bridgeId) of \(organizer.userPrincipalName) does not exist: assign an existing "
                        + "bridge to the user, then run Start-CsExMeetingMigration for them again")
            }
            guard !bridge.numbers.isEmpty else {
                throw ConferencingError(
                    "the bridge \(bridge.name) of \(organizer.userPrincipalName) has no phone number: assign a "
                        + "number to the bridge, then run Start-CsExMeetingMigration for the user again")
            }
            guard let id = audio.conferenceId else {
                throw ConferencingError(
                    "\(organizer.userPrincipalName) has no conference id: reset their conference id, "
                        + "then run Start-CsExMeetingMigration for them again")
            }
            dialIn = bridge.numbers
            conferenceId = id
        }
        let existing = try await store.onlineMeeting(calendarMeeting.tenant, calendarMeeting: calendarMeeting.id, kind: kind)
        let meeting = OnlineMeeting(
            kind: kind,
            joinURL: existing?.joinURL
                ?? (preview ? Self.placeholderJoinURL(kind: kind, organizer: organizer) : newJoinURL(for: organizer)),
            tenant: calendarMeeting.tenant,
            organizer: organizer.id,
            calendarMeeting: calendarMeeting.id,
            conferenceId: conferenceId,
            dialInNumbers: dialIn)
        return (meeting, existing == nil)
    }

    /// A fresh join URL in this service's format.
    public func newJoinURL(for organizer: User) -> String {
        // Random hex, as a UUID's 32 digits would give, without Foundation's string work (issue 11).
        let key = Self.randomHex(4, uppercase: true)
        switch kind {
        case .teams:
            let thread = Self.randomHex(16, uppercase: false)
            return "https://teams.microsoft.com/l/meetup-join/19%3ameeting_\(thread)%40thread.v2/0"
                + "?context=%7b%22Tid%22%3a%22\(organizer.tenant)%22%2c%22Oid%22%3a%22\(organizer.id)%22%7d"
        case .skypeOnline:
            return "https://meet.lync.com/\(organizer.tenant)/\(organizer.sipUser)/\(key)"
        case .skypeOnPremises:
            return "https://meet.\(organizer.sipDomain)/\(organizer.sipUser)/\(key)"
        }
    }

    /// The join URL a preview shows for one allocated at scheduling: the format of
    /// ``newJoinURL(for:)`` with each random digit an `x` (`X` in a Skype key), so it has the same
    /// length (and a folded iCalendar line folds at the same places) and is never a real one.
    public static func placeholderJoinURL(kind: MeetingKind, organizer: User) -> String {
        let key = String(repeating: "X", count: 8)
        switch kind {
        case .teams:
            let thread = String(repeating: "x", count: 32)
            return "https://teams.microsoft.com/l/meetup-join/19%3ameeting_\(thread)%40thread.v2/0"
                + "?context=%7b%22Tid%22%3a%22\(organizer.tenant)%22%2c%22Oid%22%3a%22\(organizer.id)%22%7d"
        case .skypeOnline:
            return "https://meet.lync.com/\(organizer.tenant)/\(organizer.sipUser)/\(key)"
        case .skypeOnPremises:
            return "https://meet.\(organizer.sipDomain)/\(organizer.sipUser)/\(key)"
        }
    }

    /// `count` random bytes as hexadecimal digits.
    static func randomHex(_ count: Int, uppercase: Bool) -> String {
        let digits: [UInt8] = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var generator = SystemRandomNumberGenerator()
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for _ in 0..<count {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
