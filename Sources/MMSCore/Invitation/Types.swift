/// The conferencing service an online-meeting block belongs to.
///
/// The kind decides which block template `InvitationBlock.render(_:format:)` uses and
/// which source service the engine asks whether a meeting exists (M4).
public enum MeetingKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A Skype for Business (or Lync) meeting hosted on the customer's own servers,
    /// joined through `https://meet.<domain>/...`.
    case skypeOnPremises
    /// A Skype for Business Online meeting, joined through `https://meet.lync.com/<tenant>/<user>/<key>`.
    case skypeOnline
    /// A Microsoft Teams meeting, joined through `https://teams.microsoft.com/l/meetup-join/...`.
    case teams
}

/// How an invitation body is written.
public enum BodyFormat: String, Sendable, Hashable, Codable {
    /// An HTML document or fragment; links are `<a href>` elements and text is entity-escaped.
    case html
    /// Plain text; links appear as bare URLs or in angle brackets, as Outlook writes them.
    case plainText
}

/// One phone number attendees can call to join a meeting by audio only.
public struct DialInNumber: Sendable, Hashable, Codable {
    /// The number in E.164 form, for example `+13238867531`.
    public var number: String
    /// Where the number rings and what it costs, for example `United States, Los Angeles (Toll)`.
    public var label: String

    /// Creates a dial-in number.
    /// - Parameters:
    ///   - number: The number in E.164 form (`+` and digits).
    ///   - label: The city or country and toll kind shown next to the number.
    public init(number: String, label: String) {
        self.number = number
        self.label = label
    }
}

/// Everything an invitation needs to tell attendees how to join one online meeting.
public struct JoinDetails: Sendable, Hashable, Codable {
    /// The service the meeting lives in; it picks the block template.
    public var kind: MeetingKind
    /// The meeting's join URL, which is also its identity in its service.
    ///
    /// It must be an absolute URL without whitespace, `<`, `>` or `"`: Teams URLs on a
    /// `teams.microsoft.com` host under `/l/meetup-join/`, Skype URLs on a `meet.` host.
    public var joinURL: String
    /// The audio conference ID (digits), or `nil` when the organiser has no audio conferencing.
    ///
    /// When `nil`, no dial-in part is rendered, even if `dialInNumbers` is not empty.
    public var conferenceId: String?
    /// The numbers to call, in the order they should be shown.
    public var dialInNumbers: [DialInNumber]

    /// Creates join details.
    /// - Parameters:
    ///   - kind: The service the meeting lives in.
    ///   - joinURL: The meeting's join URL.
    ///   - conferenceId: The audio conference ID, or `nil` without audio conferencing.
    ///   - dialInNumbers: The numbers to call, in display order.
    public init(kind: MeetingKind, joinURL: String, conferenceId: String? = nil, dialInNumbers: [DialInNumber] = []) {
        self.kind = kind
        self.joinURL = joinURL
        self.conferenceId = conferenceId
        self.dialInNumbers = dialInNumbers
    }
}

/// An online-meeting block found in an invitation body.
public struct FoundBlock: Sendable, Hashable {
    /// The service the block's join URL belongs to.
    public var kind: MeetingKind
    /// The join URL the block carries (HTML entities decoded), the meeting's identity in its service.
    ///
    /// A block copied from another meeting carries a URL that has no meeting in the
    /// organiser's service; telling the two apart is the engine's job (M4).
    public var joinURL: String
    /// Where the block lies in the body, as offsets into `body.utf8`.
    ///
    /// Both ends fall on ASCII bytes (a tag, a separator or a line start), so slicing
    /// the UTF-8 bytes there never splits a character.
    public var utf8Range: Range<Int>

    /// Creates a found block; `InvitationBlock.find(in:format:)` is the usual source.
    /// - Parameters:
    ///   - kind: The service the block belongs to.
    ///   - joinURL: The join URL the block carries.
    ///   - utf8Range: The block's position as offsets into the body's UTF-8 bytes.
    public init(kind: MeetingKind, joinURL: String, utf8Range: Range<Int>) {
        self.kind = kind
        self.joinURL = joinURL
        self.utf8Range = utf8Range
    }
}
