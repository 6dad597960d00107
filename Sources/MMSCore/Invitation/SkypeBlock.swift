/// Recognising Skype for Business and Lync blocks.
///
/// A Skype block is framed by long lines of periods and links to
/// `https://meet.lync.com/<tenant>/<user>/<key>` (online) or `https://meet.<domain>/<user>/<key>`
/// (on-premises; also the `https://<host>/meet/<user>/<key>` form of simple URLs). The
/// "Try Skype Web App" link is the same URL with `sl=1` in its query.
enum SkypeBlock {
    private static let onlineHost = asciiBytes("meet.lync.com")
    private static let meetLabel = asciiBytes("meet.")
    private static let meetSegment = asciiBytes("meet")
    private static let webAppParameter = asciiBytes("sl=")
    /// Video services whose hosts also start with `meet.`.
    private static let otherServices: [[UInt8]] = [asciiBytes("google.com"), asciiBytes("jit.si")]

    /// The rule `InvitationBlock.find(in:format:)` applies for Skype for Business and Lync.
    static let rule = BlockRule(
        separator: .periods,
        wordingMarkers: ["skype", "lync", "join online meeting", "[!oc("].map { Array($0.utf8) },
        joinURL: { urls in
            let meetingURLs = urls.compactMap { url in kind(of: url.text).map { (kind: $0, url: url.text) } }
            // The join link comes first in every layout, but a user may have deleted it and
            // kept the Web App link: prefer a URL without `sl=`, else strip it.
            if let join = meetingURLs.first(where: { !hasWebAppParameter($0.url) }) { return join }
            return meetingURLs.first.map { ($0.kind, removingWebAppParameter($0.url)) }
        }
    )

    /// The kind of Skype meeting `url` joins, or `nil` when it is not a Skype meeting URL.
    static func kind(of url: [UInt8]) -> MeetingKind? {
        guard let parts = URLParts(url), parts.scheme == Array("https".utf8) || parts.scheme == Array("http".utf8) else { return nil }
        if otherServices.contains(where: { parts.hostIs($0, orSubdomain: true) }) { return nil }
        if parts.host == onlineHost {
            return parts.pathSegments.count >= 3 ? .skypeOnline : nil
        }
        if parts.host.starts(with: meetLabel), parts.host.count > meetLabel.count, parts.pathSegments.count >= 2 {
            return .skypeOnPremises
        }
        if let first = parts.pathSegments.first, first.map(Byte.lowercased) == meetSegment, parts.pathSegments.count >= 3 {
            return .skypeOnPremises
        }
        return nil
    }

    private static func queryItems(_ url: [UInt8]) -> (base: [UInt8], items: [[UInt8]], fragment: [UInt8])? {
        guard let question = url.firstIndex(of: Byte.questionMark) else { return nil }
        let fragmentStart = url[question...].firstIndex(of: Byte.hash) ?? url.count
        let items = url[(question + 1)..<fragmentStart].split(separator: Byte.ampersand, omittingEmptySubsequences: false).map(Array.init)
        return (Array(url[..<question]), items, Array(url[fragmentStart...]))
    }

    /// Whether `url` is a "Try Skype Web App" link (`sl=` in its query).
    static func hasWebAppParameter(_ url: [UInt8]) -> Bool {
        queryItems(url)?.items.contains { $0.map(Byte.lowercased).starts(with: webAppParameter) } ?? false
    }

    /// `url` without its `sl=` query item (and without `?` when nothing else was in the query).
    static func removingWebAppParameter(_ url: [UInt8]) -> [UInt8] {
        guard let split = queryItems(url) else { return url }
        let kept = split.items.filter { !$0.map(Byte.lowercased).starts(with: webAppParameter) }
        var result = split.base
        if !kept.isEmpty {
            result.append(Byte.questionMark)
            result += kept.joined(separator: [Byte.ampersand])
        }
        return result + split.fragment
    }

    /// `url` with `sl=1` added to its query: the "Try Skype Web App" link.
    static func webAppURL(_ url: [UInt8]) -> [UInt8] {
        let fragmentStart = url.firstIndex(of: Byte.hash) ?? url.count
        var result = Array(url[..<fragmentStart])
        result += url.contains(Byte.questionMark) ? asciiBytes("&sl=1") : asciiBytes("?sl=1")
        return result + url[fragmentStart...]
    }
}
