extension InvitationBlock {
    /// The part of a join URL that names the meeting in its service, for comparing two
    /// URLs of the same meeting written differently (M4).
    ///
    /// Invitations do not always carry the URL byte for byte as the service issued it:
    /// Teams links gain a `context` query or `&anon=true`, percent escapes change case
    /// (`%3a`, `%3A`), hosts change case, Skype links gain `?sl=1`. The identity keeps what
    /// names the meeting and drops the rest:
    /// - Teams: `teams:` and the thread with its message, percent-decoded
    ///   (`teams:19:meeting_NzRl...@thread.v2/0`), also for the web client's `/_#/l/meetup-join/`
    ///   form, or `teams-meet:<id>` for `/meet/<id>` links.
    /// - Skype and Lync: `skype:`, the lower-cased host and the path (tenant, user and key),
    ///   without query or fragment (`skype:meet.lync.com/contoso/alice/K7QZ2B4X`).
    ///
    /// - Parameter joinURL: A join URL, typically `FoundBlock.joinURL`.
    /// - Returns: The identity, or `nil` when `joinURL` is not a Teams or Skype join URL.
    public static func meetingIdentity(ofJoinURL joinURL: String) -> String? {
        let url = Array(joinURL.utf8)
        guard let parts = URLParts(url) else { return nil }
        var identity: [UInt8]
        if let path = TeamsBlock.joinPath(url) {
            let segments = path.split(separator: Byte.slash).map { percentDecoded(Array($0)) }
            if segments.count >= 3, segments[0].map(Byte.lowercased) == asciiBytes("l") {
                identity = asciiBytes("teams:") + Array(segments[2...].joined(separator: [Byte.slash]))
            } else {
                identity = asciiBytes("teams-meet:") + Array(segments.dropFirst().joined(separator: [Byte.slash]))
            }
        } else if SkypeBlock.kind(of: url) != nil {
            identity = asciiBytes("skype:") + parts.host
            for segment in parts.pathSegments { identity += [Byte.slash] + percentDecoded(segment) }
        } else {
            return nil
        }
        return String(decoding: identity, as: UTF8.self)
    }

    /// `bytes` with `%XX` escapes decoded; malformed escapes are kept as written.
    private static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        func value(_ digit: UInt8) -> UInt8 {
            let lower = Byte.lowercased(digit)
            return Byte.isDigit(lower) ? lower - 0x30 : lower - 0x61 + 10
        }
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == Byte.percent, index + 2 < bytes.count, Byte.isHexDigit(bytes[index + 1]), Byte.isHexDigit(bytes[index + 2]) {
                result.append(value(bytes[index + 1]) << 4 | value(bytes[index + 2]))
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
