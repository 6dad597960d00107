import Foundation
import MMSCore

/// Sample data shared by the engine tests, the store contract and the crash test.
public enum Fixtures {
    /// The tenant used everywhere.
    public static let tenant = TenantID("contoso")

    /// A bridge with two numbers.
    public static let bridge = Bridge(
        id: BridgeID("bridge-us"), tenant: tenant, name: "US bridge",
        numbers: [
            DialInNumber(number: "+13238867531", label: "United States, Los Angeles (Toll)"),
            DialInNumber(number: "+18005550100", label: "United States (Toll-free)"),
        ])

    /// A second bridge.
    public static let otherBridge = Bridge(
        id: BridgeID("bridge-fr"), tenant: tenant, name: "FR bridge",
        numbers: [DialInNumber(number: "+33170000000", label: "France, Paris (Toll)")])

    /// An online user with Microsoft audio conferencing on ``bridge``.
    public static func user(
        _ name: String, homing: Homing = .online, mailbox: MailboxLocation = .online,
        audio: Bool = true, conferenceId: String? = nil
    ) -> User {
        User(
            tenant: tenant, userPrincipalName: "\(name)@contoso.com", homing: homing, mailbox: mailbox,
            audioConferencing: audio
                ? AudioConferencing(licensed: true, provider: .microsoft, enabled: true, bridge: bridge.id,
                                    conferenceId: conferenceId ?? String(UInt32.random(in: 100_000_000...999_999_999)))
                : AudioConferencing())
    }

    /// A meeting body around the block, with text that must survive byte for byte (M3, M8).
    public static let unicodeText =
        "Agenda: café (NFC) / cafe\u{0301} (NFD) · 会議の議題 · مرحبا بالعالم · שלום · 👩🏽‍💻🇫🇷 · Å (\u{212B}) · e\u{0301}\u{0323}"

    /// A calendar meeting without a block, to be saved directly through a store.
    public static func meeting(
        organizer: User, start: Date, body: String = "Hello", kind: MeetingKind = .skypeOnline, attendees: [String]? = nil
    ) -> CalendarMeeting {
        CalendarMeeting(
            tenant: tenant, organizer: organizer.id, attendees: attendees ?? ["bob@contoso.com", "carol@fabrikam.com"],
            start: start, end: start.addingTimeInterval(1800), subject: "Weekly sync", body: body, bodyFormat: .html,
            attachments: [Attachment(name: "plan.pdf", contentType: "application/pdf", content: Data([0, 1, 2, 255, 254]))],
            kind: kind, createdThroughService: true)
    }
}
