/// Recognising Microsoft Teams blocks.
///
/// A Teams block is framed by lines of underscores and links to
/// `https://teams.microsoft.com/l/meetup-join/<thread>/0?context=...`; its wording names
/// "Microsoft Teams" (the product name is not translated in localised invitations).
enum TeamsBlock {
    /// Hosts that serve Teams join links: commercial, the newer cloud.microsoft domain,
    /// the US government clouds, and Teams for personal use.
    private static let hosts: Set<[UInt8]> = Set([
        "teams.microsoft.com", "teams.cloud.microsoft", "teams.microsoft.us", "gov.teams.microsoft.us",
        "dod.teams.microsoft.us", "teams.live.com",
    ].map { Array($0.utf8) })
    private static let meetupJoinPath = asciiBytes("/l/meetup-join/")
    private static let shortJoinPath = asciiBytes("/meet/")

    /// The rule `InvitationBlock.find(in:format:)` applies for Teams.
    static let rule = BlockRule(
        separator: .underscores,
        wordingMarkers: [Array("microsoft teams".utf8)],
        joinURL: { urls in
            urls.first(where: { isJoinURL($0.text) }).map { (MeetingKind.teams, $0.text) }
        }
    )

    /// Whether `url` joins a Teams meeting: https on a Teams host, under
    /// `/l/meetup-join/` (or the newer `/meet/<id>`), with something after that prefix.
    static func isJoinURL(_ url: [UInt8]) -> Bool {
        joinPath(url) != nil
    }

    /// The path of a Teams join URL, query and fragment left out, or `nil` when `url` is
    /// not one. The web client's deep-link form `https://teams.microsoft.com/_#/l/meetup-join/...`
    /// carries its path in the fragment.
    static func joinPath(_ url: [UInt8]) -> [UInt8]? {
        guard let parts = URLParts(url), parts.scheme == asciiBytes("https"), hosts.contains(parts.host) else { return nil }
        var path = parts.path
        if path == asciiBytes("/_"), let fragment = parts.fragment, fragment.first == Byte.slash {
            path = Array(fragment.prefix { $0 != Byte.questionMark })
        }
        let lowercased = path.map(Byte.lowercased)
        for prefix in [meetupJoinPath, shortJoinPath] where lowercased.count > prefix.count && lowercased.starts(with: prefix) {
            return path
        }
        return nil
    }
}
