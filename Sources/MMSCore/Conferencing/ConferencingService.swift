/// One conferencing service (Skype for Business on-premises, Skype for Business Online, Teams)
/// as the engine sees it: look a meeting up by join URL, schedule or update one.
public protocol ConferencingService: Sendable {
    /// The kind of meetings this service hosts.
    var kind: MeetingKind { get }

    /// The meeting this join URL leads to, if the service has it (M4).
    func lookUp(joinURL: String) async throws -> OnlineMeeting?

    /// Schedules the online meeting for `calendarMeeting`, or updates the one already scheduled for
    /// it in this service (so a retried or resumed migration never creates a second one), with the
    /// organiser's current dial-in coordinates.
    ///
    /// - Throws: ``ConferencingError`` with a message saying what the admin must fix.
    func schedule(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> OnlineMeeting

    /// Decides the online meeting ``schedule(for:organizer:)`` would schedule, and leaves the
    /// write to the caller where the service keeps its meetings in the migration store: the
    /// engine then saves it in the same fenced transaction as the meeting's outcome, so a worker
    /// that lost its lease writes nothing (issue 11). A service with its own back end schedules
    /// (idempotently, as ``schedule(for:organizer:)`` must) and returns nothing to save.
    func prepare(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreparedOnlineMeeting

    /// The online meeting ``schedule(for:organizer:)`` would schedule, with nothing scheduled,
    /// updated or saved (the migration preview). What is only decided when the meeting is
    /// scheduled (a fresh join URL) is a placeholder, named by ``PreviewedOnlineMeeting/undetermined``.
    func preview(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreviewedOnlineMeeting
}

/// The online meeting a migration would give a meeting, as the preview shows it.
public struct PreviewedOnlineMeeting: Sendable, Hashable {
    /// The online meeting; its join URL is a placeholder when ``undetermined`` is not `.nothing`.
    public var meeting: OnlineMeeting
    /// What is only known once the meeting is scheduled.
    public var undetermined: UndeterminedJoinDetails

    /// Creates a previewed meeting.
    public init(meeting: OnlineMeeting, undetermined: UndeterminedJoinDetails) {
        self.meeting = meeting
        self.undetermined = undetermined
    }
}

/// An online meeting decided for a migrated meeting, and the record the caller must save with
/// the meeting's outcome (nil when the service has saved it already).
public struct PreparedOnlineMeeting: Sendable, Hashable {
    /// The online meeting the rewritten invitation will carry.
    public var meeting: OnlineMeeting
    /// What to save in the store in the outcome's transaction, if anything.
    public var toSave: OnlineMeeting?

    /// Creates a prepared meeting.
    public init(meeting: OnlineMeeting, toSave: OnlineMeeting?) {
        self.meeting = meeting
        self.toSave = toSave
    }
}

extension ConferencingService {
    /// Schedules at once: for services whose meetings are not in the migration store.
    public func prepare(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreparedOnlineMeeting {
        PreparedOnlineMeeting(meeting: try await schedule(for: calendarMeeting, organizer: organizer), toSave: nil)
    }

    /// For a service with its own back end, which decides its meetings when it schedules them:
    /// a placeholder join URL and no dial-in details (``UndeterminedJoinDetails/joinDetails``).
    public func preview(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreviewedOnlineMeeting {
        PreviewedOnlineMeeting(
            meeting: OnlineMeeting(
                kind: kind, joinURL: BuiltInConferencingService.placeholderJoinURL(kind: kind, organizer: organizer),
                tenant: calendarMeeting.tenant, organizer: organizer.id, calendarMeeting: calendarMeeting.id,
                conferenceId: nil, dialInNumbers: []),
            undetermined: .joinDetails)
    }
}

/// A conferencing failure the admin can act on; it fails the meeting (retried, M7).
public struct ConferencingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what to fix.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The conferencing services by kind.
public struct ConferencingServices: Sendable {
    private let services: [MeetingKind: any ConferencingService]

    /// Creates the registry; one service per kind.
    public init(_ services: [any ConferencingService]) {
        var byKind: [MeetingKind: any ConferencingService] = [:]
        for service in services { byKind[service.kind] = service }
        self.services = byKind
    }

    /// The built-in services, one per kind, keeping their meetings in `store`.
    public static func builtIn(store: any ConferencingStore & DirectoryStore) -> ConferencingServices {
        ConferencingServices(MeetingKind.allCases.map { BuiltInConferencingService(kind: $0, store: store) })
    }

    /// The service for `kind`.
    /// - Throws: ``ConferencingError`` when none is configured.
    public func service(for kind: MeetingKind) throws -> any ConferencingService {
        guard let service = services[kind] else {
            throw ConferencingError("no conferencing service is configured for \(kind.displayName) meetings")
        }
        return service
    }
}
