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
