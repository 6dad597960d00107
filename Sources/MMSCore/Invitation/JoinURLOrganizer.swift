import Foundation

extension InvitationBlock {
    /// Who a join URL says organises its meeting (issue 17, `mms meeting import`): a Skype or
    /// Lync URL's user segment (`https://meet.lync.com/<tenant>/<user>/<key>`,
    /// `https://meet.<domain>/<user>/<key>`, `https://<host>/meet/<user>/<key>`), lower-cased; a
    /// Teams URL's organiser id, the `Oid` of its `context` query. Nil when the URL names none.
    public static func organizer(ofJoinURL joinURL: String) -> String? {
        guard let components = URLComponents(string: joinURL.trimmingWhitespace()), let host = components.host?.lowercased() else { return nil }
        let segments = components.percentEncodedPath.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if meetingIdentity(ofJoinURL: joinURL)?.hasPrefix("teams") == true {
            guard let context = components.queryItems?.first(where: { $0.name.lowercased() == "context" })?.value,
                  let data = context.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let oid = object.first(where: { $0.key.lowercased() == "oid" })?.value as? String, !oid.isEmpty
            else { return nil }
            return oid.lowercased()
        }
        guard meetingIdentity(ofJoinURL: joinURL)?.hasPrefix("skype:") == true else { return nil }
        if let meet = segments.firstIndex(where: { $0.lowercased() == "meet" }), segments.count > meet + 2 {
            return segments[meet + 1].lowercased()
        }
        if host == "meet.lync.com", segments.count >= 3 { return segments[1].lowercased() }
        if segments.count >= 2 { return segments[segments.count - 2].lowercased() }
        return nil
    }
}
